"""The hub's own push schema: one event object, or a list of them (at most MAX_EVENTS).

``{"id": "<caller's unique id>", "kind": "<Kind>", "occurred_at": "<ISO 8601 with offset>",
"pbx_call_id": "<string, optional>", "data": {...}}``. The id becomes the dedupe key, so a
caller re-sending a push after a timeout does not store anything twice.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source
from integrations.push_errors import PushError

from .schema import (
    BOOL, DATA_TYPES, ENUMS, INT, MAX_INT, MAX_LENGTHS, PUSHABLE_KINDS, REQUIRED, STR, TIME, TIMESTAMP_PATTERN,
)

MAX_EVENTS = 1000
# The id is the stored event's dedupe key, a 100-character column: a longer id was cut to it,
# so two ids alike in their first 100 characters were one event, and the catalogue keys made
# from it outgrew their own column.
MAX_ID_LENGTH = 100
# The hub stores call numbers and QCIDs in 64-character columns.
MAX_CALL_ID_LENGTH = 64
_KEYS = ("id", "kind", "occurred_at", "pbx_call_id", "data")
_REQUIRED = ("id", "kind", "occurred_at")
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_TYPE_CHECKS = {
    STR: lambda value: isinstance(value, str),
    INT: lambda value: isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT,
    BOOL: lambda value: isinstance(value, bool),
    TIME: lambda value: isinstance(value, str),
}
_TYPE_NAMES = {STR: "a string", INT: f"a whole number from 0 to {MAX_INT}", BOOL: "true or false",
               TIME: "a date-time string"}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _holds_nul(value: Any) -> bool:
    """Whether a NUL character is anywhere in ``value`` (keys included), which PostgreSQL
    cannot store. Walked without recursion; the parser already refused deep nesting."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _string(item: dict[str, Any], key: str, path: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise PushError(_join(path, key), "expected a non-empty string")
    if "\x00" in value:
        raise PushError(_join(path, key), "must not contain a NUL character")
    return value


def _kind(value: str, where: str) -> Kind:
    if value == Kind.CDR_RECORD:
        raise PushError(where, "cdr.record cannot be pushed; send the call's events instead")
    if value not in PUSHABLE_KINDS:
        expected = ", ".join(PUSHABLE_KINDS)
        raise PushError(where, f"unknown kind {value!r}; expected one of {expected}")
    return Kind(value)


def _occurred_at(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is None:
        raise PushError(where, "needs a UTC offset, e.g. 2025-03-01T09:14:22+11:00")
    if parsed is None or _TIMESTAMP.fullmatch(value) is None:
        raise PushError(where, "not an ISO 8601 date-time with its offset (RFC 3339, in years 1970-2999, "
                               f"e.g. 2025-03-01T09:14:22+11:00): {value!r}")
    # In UTC: the instant is what counts (calls are moved to their PBX's zone), and PostgreSQL
    # refuses offsets beyond ±15:59, which ISO 8601 allows up to ±23:59.
    return parsed.astimezone(timezone.utc)


def _data_value(value: Any, key: str, expected: str, where: str) -> None:
    if not _TYPE_CHECKS[expected](value):
        raise PushError(where, f"expected {_TYPE_NAMES[expected]}")
    if expected == TIME:
        _occurred_at(value, where)
    elif key in ENUMS:
        if value not in ENUMS[key]:
            raise PushError(where, f"expected one of {', '.join(ENUMS[key])}")
    elif expected == STR and len(value) > MAX_LENGTHS[key]:
        raise PushError(where, f"at most {MAX_LENGTHS[key]} characters")


def _data(value: Any, kind: Kind, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PushError(where, "expected an object")
    for key in REQUIRED.get(kind, ()):
        if not value.get(key):
            raise PushError(f"{where}.{key}", f"required for {kind.value}")
    for key, item in value.items():
        if key in DATA_TYPES[kind]:
            _data_value(item, key, DATA_TYPES[kind][key], f"{where}.{key}")
        if _holds_nul(key) or _holds_nul(item):
            raise PushError(f"{where}.{key}", "must not contain a NUL character")
    return value


def _check_keys(item: dict[str, Any], path: str) -> None:
    for key in item:
        if key not in _KEYS:
            raise PushError(_join(path, str(key)), f"unknown field; expected {', '.join(_KEYS)}")
    for key in _REQUIRED:
        if key not in item:
            raise PushError(_join(path, key), "missing")


def _pbx_call_id(item: dict[str, Any], path: str) -> str | None:
    value = item.get("pbx_call_id")
    if value is not None and not isinstance(value, str):
        raise PushError(_join(path, "pbx_call_id"), "expected a string or null")
    if value and len(value) > MAX_CALL_ID_LENGTH:
        raise PushError(_join(path, "pbx_call_id"), f"at most {MAX_CALL_ID_LENGTH} characters")
    if value and "\x00" in value:
        raise PushError(_join(path, "pbx_call_id"), "must not contain a NUL character")
    return value or None


def _event(item: Any, path: str) -> PbxEvent:
    if not isinstance(item, dict):
        raise PushError(path or "body", "expected a JSON object")
    _check_keys(item, path)
    event_id = _string(item, "id", path)
    if len(event_id) > MAX_ID_LENGTH:
        raise PushError(_join(path, "id"), f"longer than {MAX_ID_LENGTH} characters")
    kind = _kind(_string(item, "kind", path), _join(path, "kind"))
    return PbxEvent(
        source=Source.NATIVE,
        kind=kind,
        occurred_at=_occurred_at(_string(item, "occurred_at", path), _join(path, "occurred_at")),
        pbx_call_id=_pbx_call_id(item, path),
        dedupe_key=event_id,
        data=dict(_data(item.get("data", {}), kind, _join(path, "data"))),
        raw=json.dumps(item, ensure_ascii=False, sort_keys=True, default=str),
    )


def parse_native_push(payload: Any) -> list[PbxEvent]:
    """Every event of a decoded JSON push; PushError names the field, e.g. ``events[3].kind``."""
    if isinstance(payload, dict):
        return [_event(payload, "")]
    if not isinstance(payload, list):
        raise PushError("body", "expected a JSON object or a list of objects")
    if len(payload) > MAX_EVENTS:
        raise PushError("events", f"{len(payload)} events in one push; at most {MAX_EVENTS}")
    return [_event(item, f"events[{index}]") for index, item in enumerate(payload)]
