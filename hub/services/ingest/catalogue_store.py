"""Store the catalogue events a batch derived: only keys not stored yet, numbered per call."""
from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from hub.assembly import CatalogueEvent as Derived
from hub.metrics.record import catalogue_events_record
from hub.models import Call, CatalogueEvent, Pbx
from hub.services.ingest.fast_insert import rows_insert
from hub.services.ingest.sql_in import select_in

_COLUMNS = ("account", "pbx", "call", "key", "trigger", "sequence", "occurred_at", "payload", "created_at")


class StoredCatalogueEvent(NamedTuple):
    """A CatalogueEvent row as inserted (plain data: tens of thousands per batch), with the
    attributes deliveries_create reads."""

    pk: int
    account_id: int
    pbx_id: int
    call_id: int | None
    key: str
    trigger: str
    sequence: int
    occurred_at: datetime
    payload: dict[str, Any]
    created_at: datetime


def _stored(pbx: Pbx, derived: list[tuple[Call | None, Derived]]) -> tuple[set[str], dict[int, int]]:
    """Keys already stored and each call's highest sequence. A call's events are keyed by
    its id (``call<pk>:…``), so its stored keys are read by call on the (call, sequence)
    index; events of no call are looked up by key."""
    table, qn = CatalogueEvent._meta.db_table, connection.ops.quote_name
    calls = sorted({call.id for call, _ in derived if call is not None})
    known, top = set(), {}
    for call_id, key, sequence in select_in(
            f"SELECT call_id, {qn('key')}, sequence FROM {qn(table)} WHERE", [], "call_id", calls):
        known.add(key)
        top[call_id] = max(top.get(call_id, 0), sequence)
    loose = sorted({event.key for call, event in derived if call is None})
    known.update(key for key, in select_in(
        f"SELECT {qn('key')} FROM {qn(table)} WHERE pbx_id = %s AND", [pbx.pk], qn("key"), loose))
    return known, top


def catalogue_events_store(pbx: Pbx, derived: list[tuple[Call | None, Derived]]) -> list[StoredCatalogueEvent]:
    """Insert the new ones in the order given; returns the rows created."""
    if not derived:
        return []
    known, next_sequence = _stored(pbx, derived)
    rows, now, account_id, pbx_id = [], timezone.now(), pbx.account_id, pbx.pk
    for call, event in derived:
        if event.key in known:
            continue
        known.add(event.key)
        sequence, call_id = 0, None
        if call is not None:
            call_id = call.id  # not the pk property: tens of thousands of events a batch
            sequence = next_sequence[call_id] = next_sequence.get(call_id, 0) + 1
        rows.append((account_id, pbx_id, call_id, event.key, event.trigger, sequence, event.occurred_at,
                     event.payload, now))
    ids = rows_insert(CatalogueEvent, _COLUMNS, rows, returning=True)
    stored = [StoredCatalogueEvent(pk, *row) for pk, row in zip(ids, rows)]
    # Counted once committed, whichever path derived them (a batch, a flush, the idle sweep).
    transaction.on_commit(lambda: catalogue_events_record(stored))
    return stored
