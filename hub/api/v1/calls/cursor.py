"""The opaque paging cursor of /api/v1/calls: base64 of JSON holding the last call's
(call_start_at, id) and the sort order, so a cursor cannot be replayed against the other order."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from hub.errors import InvalidInput


def cursor_encode(*, start: datetime, pk: int, newest_first: bool) -> str:
    body = json.dumps({"s": start.isoformat(), "i": pk, "o": "n" if newest_first else "o"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def cursor_decode(text: str, *, newest_first: bool) -> tuple[datetime, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        start, pk, order = datetime.fromisoformat(data["s"]), int(data["i"]), data["o"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError, OverflowError):
        raise InvalidInput("cursor", "not a cursor this API returned") from None
    if start.tzinfo is None or order != ("n" if newest_first else "o") or not 0 < pk < 2**63:
        raise InvalidInput("cursor", "not a cursor for this sort order")
    return start, pk
