"""Which 3CX service log a file is, from its name or, failing that, its first bytes."""
from __future__ import annotations

import os

from hub.vocabulary.pbx_event import Source

# Rotated copies keep the stem (3CXCallFlow.log.1, 3CXCallFlow_20250301.log), so match a prefix.
_NAME_PREFIXES = {"3cxcallflow": Source.CALLFLOW, "3cxqueuemanager": Source.QUEUEMANAGER}
_TAGS = {b"[CallFlow]": Source.CALLFLOW, b"[QueueManager]": Source.QUEUEMANAGER}


def detect_source(
    filename: str | os.PathLike[str] | None, first_bytes: bytes = b""
) -> Source | None:
    if filename is not None:
        # Split on both separators: paths copied from a Windows host arrive as plain strings.
        name = os.fspath(filename).replace("\\", "/").rsplit("/", 1)[-1].lower()
        for prefix, source in _NAME_PREFIXES.items():
            if name.startswith(prefix):
                return source
    return _source_from_content(first_bytes)


def _source_from_content(first_bytes: bytes) -> Source | None:
    # The tag seen first wins: a CallFlow log can mention no queue, and vice versa.
    found = {first_bytes.find(tag): source for tag, source in _TAGS.items()}
    found.pop(-1, None)
    return found[min(found)] if found else None
