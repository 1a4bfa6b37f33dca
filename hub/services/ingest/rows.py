"""Conversions between the plain PbxEvent and its stored row."""
from __future__ import annotations

from datetime import datetime

from hub.models import Pbx, StoredPbxEvent
from hub.vocabulary.pbx_event import Kind, PbxEvent, Source


def _jsonable(value):
    # Adapters may hand us datetimes inside data; JSON columns want strings.
    return value.isoformat() if isinstance(value, datetime) else value


def to_row(pbx: Pbx, event: PbxEvent, call_id: int | None) -> StoredPbxEvent:
    return StoredPbxEvent(
        pbx=pbx, source=event.source.value, kind=event.kind.value, occurred_at=event.occurred_at,
        pbx_call_id=event.pbx_call_id or "", dedupe_key=event.dedupe_key[:100],
        data={k: _jsonable(v) for k, v in event.data.items()}, raw=event.raw, call_id=call_id,
    )


def to_event(row: StoredPbxEvent) -> PbxEvent:
    return PbxEvent(
        source=Source(row.source), kind=Kind(row.kind), occurred_at=row.occurred_at,
        pbx_call_id=row.pbx_call_id or None, dedupe_key=row.dedupe_key, data=row.data, raw=row.raw,
    )
