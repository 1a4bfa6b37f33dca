"""Conversions between the plain PbxEvent and its stored row."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from hub.models import Pbx, StoredPbxEvent
from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

# to_rows() order; rows_insert() takes the same.
COLUMNS = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call",
           "received_at")
# What events_load() reads back: everything to_event() needs, and the call.
LOADED = ("call_id", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw")
_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})


def _jsonable(value):
    # Adapters may hand us datetimes inside data; JSON columns want strings.
    return value.isoformat() if isinstance(value, datetime) else value


def _survives_json(value) -> bool:
    if value.__class__ in _JSON_LEAVES:
        return True
    if value.__class__ is list:
        return _all_survive(value)
    if value.__class__ is dict:
        return _STR.issuperset(map(type, value)) and _all_survive(value.values())
    return False


def _all_survive(values) -> bool:
    # Checked in C first: nearly every event's data is flat (strings, numbers, booleans).
    return _JSON_LEAVES.issuperset(map(type, values)) or all(map(_survives_json, values))


def _data(event: PbxEvent) -> dict:
    """The event's data exactly as the JSON column gives it back."""
    data = {k: _jsonable(v) for k, v in event.data.items()}
    return data if _survives_json(data) else json.loads(json.dumps(data))


def to_row(pbx: Pbx, event: PbxEvent, call_id: int | None) -> StoredPbxEvent:
    return StoredPbxEvent(
        pbx=pbx, source=event.source.value, kind=event.kind.value, occurred_at=event.occurred_at,
        pbx_call_id=event.pbx_call_id or "", dedupe_key=event.dedupe_key[:100],
        data={k: _jsonable(v) for k, v in event.data.items()}, raw=event.raw, call_id=call_id,
    )


def stored_event(event: PbxEvent) -> PbxEvent:
    """``event`` as to_event() would read it back once stored (key cut, data through JSON);
    the event itself when storing changes nothing (the parsers' events, nearly always)."""
    data = event.data
    if event.pbx_call_id != "" and len(event.dedupe_key) <= 100 and data.__class__ is dict and (
            # A flat dict of strings and numbers (nearly every event's) checked here in C,
            # without _survives_json's calls.
            (_STR.issuperset(map(type, data)) and _JSON_LEAVES.issuperset(map(type, data.values())))
            or _survives_json(data)):
        return event
    return PbxEvent(
        source=event.source, kind=event.kind, occurred_at=event.occurred_at,
        pbx_call_id=event.pbx_call_id or None, dedupe_key=event.dedupe_key[:100], data=_data(event), raw=event.raw,
    )


def to_rows(pbx: Pbx, stored: Sequence[tuple[PbxEvent, int | None]], received_at: datetime) -> list[tuple]:
    """The rows (COLUMNS tuples, the same as to_row()'s) of (stored_event(), call id) pairs."""
    pbx_id = pbx.pk
    # A member's _value_ is its plain str, read as a plain attribute (``value`` is a property).
    return [(pbx_id, e.source._value_, e.kind._value_, e.occurred_at, e.pbx_call_id or "", e.dedupe_key, e.data, e.raw,
             call_id, received_at) for e, call_id in stored]


def to_event(row: StoredPbxEvent) -> PbxEvent:
    return PbxEvent(
        source=Source(row.source), kind=Kind(row.kind), occurred_at=row.occurred_at,
        pbx_call_id=row.pbx_call_id or None, dedupe_key=row.dedupe_key, data=row.data, raw=row.raw,
    )


def values_to_event(values: tuple) -> PbxEvent:
    """A LOADED tuple (call id first) as to_event() would give it."""
    _, source, kind, occurred_at, pbx_call_id, dedupe_key, data, raw = values
    return PbxEvent(source=Source(source), kind=Kind(kind), occurred_at=occurred_at,
                    pbx_call_id=pbx_call_id or None, dedupe_key=dedupe_key, data=data, raw=raw)
