"""3CX CDR field names, the default order, and checking an admin's configured order."""
from __future__ import annotations

from collections.abc import Sequence

from .errors import CdrError

DEFAULT_FIELDS: tuple[str, ...] = (
    "historyid", "callid", "duration", "time-start", "time-answered", "time-end",
    "reason-terminated", "from-no", "to-no", "from-dn", "to-dn", "dial-no", "reason-changed",
    "final-number", "final-dn", "bill-code", "bill-rate", "bill-cost", "bill-name", "chain",
    "from-type", "to-type", "final-type", "from-dispname", "to-dispname", "final-dispname",
    "missed-queue-calls",
)
KNOWN_FIELDS = frozenset(DEFAULT_FIELDS)
TIME_FIELDS = ("time-start", "time-answered", "time-end")

# pbx_event.py names these two differently from a plain dash-to-underscore rename.
_DATA_KEYS = {"historyid": "history_id", "callid": "call_id"}


def data_key(field: str) -> str:
    return _DATA_KEYS.get(field, field.replace("-", "_"))


def validate_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """Return ``fields`` as a tuple, or raise CdrError naming the first bad entry."""
    if isinstance(fields, str):
        raise CdrError("CDR fields must be a list of names, not one string", code="config")
    checked = tuple(fields)
    if not checked:
        raise CdrError("CDR fields list is empty", code="config")
    seen: set[str] = set()
    for name in checked:
        if name not in KNOWN_FIELDS:
            known = ", ".join(DEFAULT_FIELDS)
            raise CdrError(f"unknown CDR field {name!r}; known fields: {known}", code="config")
        if name in seen:
            raise CdrError(f"CDR field {name!r} is listed twice", code="config")
        seen.add(name)
    return checked
