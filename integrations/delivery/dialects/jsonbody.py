"""JSON encoders that match what the seeds' senders put on the wire."""
from __future__ import annotations

import json
from typing import Any


def compact_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, non-ASCII kept as is (the plugin's C# serialiser and the hub's own)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Go's encoding/json escapes these so the JSON is safe inside HTML; seed 000 is written in Go.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})


def go_json(value: Any) -> bytes:
    """What Go's json.Marshal writes: compact, UTF-8, with <, >, &, U+2028/9 escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # The escapes only ever occur inside strings, where \\uXXXX means the same character.
    return text.translate(_GO_ESCAPES).encode("utf-8")
