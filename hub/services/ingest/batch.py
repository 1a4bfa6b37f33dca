"""events_ingest: one batch of PbxEvents into the database, in the caller's transaction."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from django.db import connection, transaction
from django.utils import timezone

from hub.assembly import derive_standalone_events
from hub.logs.lines import ingest_batch_logged
from hub.metrics.guard import never_raises
from hub.metrics.record import events_per_source, ingest_batch_record
from hub.models import Call, Pbx, StoredPbxEvent
from hub.services.delivery import deliveries_create
from hub.services.ingest.advance import CallEvents, calls_advance
from hub.services.ingest.catalogue_store import catalogue_events_store
from hub.services.ingest.directory import directory_sync
from hub.services.ingest.linking import CallLinker
from hub.services.ingest.fast_insert import rows_insert
from hub.services.ingest.rows import COLUMNS, stored_event, to_event, to_rows
from hub.services.ingest.sql_in import select_in
from hub.services.ingest.push_wakeups import push_wakeup_schedule
from hub.services.ingest.turns import pbx_turn_take
from hub.services.ingest.watermarks import due_call_ids, pbx_watermark, push_hold, watermark_record
from hub.vocabulary.pbx_event import Kind, PbxEvent
from hub.vocabulary.timezones import parse_timezone


_OCCURRED_AT = attrgetter("occurred_at")


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    calls: set[int] = field(default_factory=set)
    catalogue_events: list = field(default_factory=list)


def _new_events(pbx: Pbx, events: list[PbxEvent]) -> list[PbxEvent]:
    """Drop events stored before (same PBX, source and key) and repeats within the batch."""
    unique = {}
    for e in events:  # keyed by the Source itself: a StrEnum equals and hashes as its value
        unique[e.source, e.dedupe_key if len(e.dedupe_key) <= 100 else e.dedupe_key[:100]] = e
    stored = _stored_keys(pbx, unique)
    return [e for k, e in unique.items() if k not in stored]


def _stored_keys(pbx: Pbx, keys) -> set[tuple[str, str]]:
    """Which of these (source, dedupe_key) pairs are stored for ``pbx``: plain queries per
    source on the whole unique (pbx, source, dedupe_key) index (the ORM's IN of thousands of
    keys spends longer compiling than the database spends answering)."""
    by_source: dict[str, list[str]] = {}
    for source, key in keys:
        by_source.setdefault(str(source), []).append(key)
    meta, qn = StoredPbxEvent._meta, connection.ops.quote_name
    head = (f"SELECT {qn(meta.get_field('dedupe_key').column)} FROM {qn(meta.db_table)} "
            f"WHERE {qn(meta.get_field('pbx').column)} = %s AND {qn(meta.get_field('source').column)} = %s AND")
    return {(source, key) for source, wanted in by_source.items()
            for key, in select_in(head, [pbx.pk, source], qn(meta.get_field("dedupe_key").column), wanted)}


def _orphans_named(pbx: Pbx, qcids: set[str]) -> list[StoredPbxEvent]:
    """Stored events of no call whose qcid, for_qcid or to_qcid is one of ``qcids``. Few events
    are orphans, so they are read and matched here rather than by JSON lookups in the query
    (on SQLite those cost a function call per row and QCID). Agent status changes, which
    belong to no call by nature and name no QCID, are left out."""
    candidates = (StoredPbxEvent.objects.filter(pbx=pbx, call__isnull=True)
                  .exclude(kind=Kind.AGENT_STATUS).values_list("id", "data"))
    ids = [pk for pk, data in candidates if isinstance(data, dict) and any(
        data.get(name) in qcids for name in ("qcid", "for_qcid", "to_qcid") if isinstance(data.get(name), str))]
    return list(StoredPbxEvent.objects.filter(pk__in=ids).order_by("occurred_at", "id")) if ids else []


def _adopt_orphans(pbx: Pbx, linker: CallLinker, known: CallEvents) -> set[int]:
    """Queue lines stored before their QCID was linked to a call now join that call.

    Adopting one can link a further QCID (a callback's own), so repeat until nothing new links.
    """
    touched: set[int] = set()
    new = set(linker.new_qcids)
    while new:
        seen = set(linker.new_qcids)
        for row in _orphans_named(pbx, new):
            call = linker.link(to_event(row))
            if call is not None:
                linker.calls_save()
                row.call = call
                row.save(update_fields=["call"])
                touched.add(call.pk)
                if call.pk in known.by_call:
                    known.add(call.pk, to_event(row), (row.occurred_at, 0, row.pk))
        new = linker.new_qcids - seen
    return touched


def _events_store(pbx: Pbx, linked: list[tuple[PbxEvent, Call | None]], known: CallEvents) -> None:
    """Insert the batch's events; the linked ones join their calls' lists in ``known``."""
    stored = [(stored_event(event), call.id if call is not None else None) for event, call in linked]
    rows_insert(StoredPbxEvent, COLUMNS, to_rows(pbx, stored, timezone.now()))
    for position, (event, call_id) in enumerate(stored):
        if call_id is not None:
            known.add(call_id, event, (event.occurred_at, 1, position))


def events_ingest(*, pbx: Pbx, events: list[PbxEvent], progress: Callable[[], None] | None = None,
                  watermark: datetime | None = None, flush: bool = False, pushed: bool = False) -> IngestResult:
    """Store, link, assemble and derive in ONE transaction; ``progress`` (e.g. saving the
    source position) runs inside it, so position and events commit or roll back together.

    What goes out waits for the PBX's watermark (hub.assembly.emission): the position of its
    followed files (after ``progress`` has saved this batch's), and of the caller's own
    stream, ``watermark`` (an import's: every event of it at or before that time has been
    read; None or EVERYTHING: the caller's events are all there is; EVERYTHING asks for the
    waiting calls to be brought out even with no events). ``flush``: wait for nothing (a source
    that went silent) but the pushes a database outage refused (watermarks.push_hold). ``pushed``: the events came as a push that carries event times (native
    JSON, the CDR socket), a stream that may arrive out of order within PUSH_LATENESS
    (watermarks.pbx_watermark). Calls whose waiting events the watermark now covers come out
    too.
    """
    result = IngestResult(received=len(events))
    if not events and progress is None and not flush and watermark is None:
        return result
    with transaction.atomic():
        pbx_turn_take(pbx)  # first: every read below must see the PBX's latest commits
        fresh = _new_events(pbx, events)
        result.stored, result.duplicates = len(fresh), len(events) - len(fresh)
        linker = CallLinker.load(pbx, fresh)
        fresh.sort(key=_OCCURRED_AT)
        linked = [(event, linker.link(event)) for event in fresh]
        new_calls = {id(c) for c in linker.calls_save()}
        calls = {call.id: call for _, call in linked if call is not None}  # id: no pk property per event
        known = CallEvents()
        # Calls stored before this batch: their earlier events, read before this batch's land.
        known.load([pk for pk, call in calls.items() if id(call) not in new_calls])
        _events_store(pbx, linked, known)
        result.calls = set(calls) | _adopt_orphans(pbx, linker, known)
        # After the adoptions: an adopted callback line links its own QCID, which a later
        # line of that callback (sent after the QCID's first line came late) must find.
        linker.links_save()
        created = {pk for pk, call in calls.items() if id(call) in new_calls}
        if progress is not None:
            progress()
        now = timezone.now()
        if flush:  # all but what a database outage holds for the pushes it refused
            watermark = push_hold(pbx, now)
        else:
            watermark = pbx_watermark(pbx, own=watermark, pushed=events if pushed else [], now=now)
        watermark_record(pbx, watermark)
        advancing = result.calls | set(due_call_ids(pbx, watermark))
        derived = calls_advance(pbx, advancing, events=known, calls=calls, new_call_ids=created,
                                watermark=watermark)
        statuses = [e for e, call in linked if call is None and e.kind == Kind.AGENT_STATUS]
        derived += [(None, d) for d in derive_standalone_events(statuses, tz=parse_timezone(pbx.timezone))]
        directory_sync(pbx, fresh)
        result.catalogue_events = catalogue_events_store(pbx, derived)
        if pushed:  # what waits only for the push stream goes out at its moment, not the beat's
            push_wakeup_schedule(pbx, now)
        # The outbox: delivery rows commit with the events; workers are woken on commit.
        deliveries_create(events=result.catalogue_events)
    # Counted once committed, once per batch: the hot path's cost is a few dict updates.
    _batch_observe(pbx, fresh, result)
    return result


@never_raises
def _batch_observe(pbx: Pbx, fresh: list[PbxEvent], result: IngestResult) -> None:
    per_source = events_per_source(fresh)
    ingest_batch_record(pbx_id=pbx.pk, events=fresh, per_source=per_source)
    ingest_batch_logged(pbx=pbx, sources=per_source, result=result)
