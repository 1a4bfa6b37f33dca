"""Bring stored calls up to date with all their events: assemble, store, derive."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from hub.assembly import close_idle_call
from hub.assembly import CatalogueEvent as Derived
from hub.assembly.assemble import Prefix, assemble_normalised, normalise
from hub.assembly.derive import derive_prefix
from hub.assembly.components import Condition, component_fired_at, component_payload
from hub.assembly.emission import call_anchor, emissions
from hub.models import CatalogueEvent, Call, Pbx, StoredPbxEvent, WebhookComponent
from hub.services.ingest.call_store import calls_store
from hub.services.ingest.rows import LOADED, values_to_event
from hub.services.ingest.sql_in import select_in
from hub.vocabulary.pbx_event import PbxEvent
from hub.vocabulary.timezones import parse_timezone


def _components(account_id: int) -> list[tuple[int, str, Condition]]:
    """The account's enabled components as (id, name, condition). Read in every ingest
    transaction, so as a plain statement: the ORM spends longer building it than the
    database answering."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, {qn('condition')}, target, seconds FROM "
                       f"{qn(WebhookComponent._meta.db_table)} WHERE account_id = %s AND enabled = %s "
                       "ORDER BY name", [account_id, True])  # the model's order: derived events keep theirs
        return [(pk, name, Condition(kind, target, seconds or 0)) for pk, name, kind, target, seconds in cursor]


_COMPONENT = "webhook_component_event"


def _deriver(components: list[tuple[int, str, Condition]], call_key: str):
    """derive(prefix, triggers): the call's catalogue events and its components' events
    (emission.Derive)."""
    def derive(prefix: Prefix, triggers: frozenset[str] | None) -> list[Derived]:
        out = derive_prefix(prefix, call_key=call_key, triggers=triggers)
        if triggers is not None and _COMPONENT not in triggers:
            return out
        record = prefix.record
        for pk, name, condition in components:
            fired_at = component_fired_at(record, condition)
            if fired_at is not None:
                out.append(Derived(key=f"{call_key}:component:{pk}", trigger=_COMPONENT,
                                   occurred_at=fired_at, payload=component_payload(record, name)))
        return out
    return derive


def _emitted(call_ids: list[int]) -> dict[int, set[str]]:
    """The catalogue keys stored for each call (the (call, sequence) index covers them)."""
    qn, out = connection.ops.quote_name, {}
    for call_id, key in select_in(f"SELECT call_id, {qn('key')} FROM {qn(CatalogueEvent._meta.db_table)} WHERE",
                                  [], "call_id", sorted(call_ids)):
        out.setdefault(call_id, set()).add(key)
    return out


def _anchor(ordered: list[PbxEvent], emitted: set[str]) -> str:
    """The call's part of its catalogue keys: the one its stored events carry once some went
    out. A fact read after that (later than PUSH_LATENESS, or after a flush) may be earlier
    than every event known then; anchoring the call on it would send all its events again
    under new keys."""
    return min(key.split(":", 1)[0] for key in emitted) if emitted else call_anchor(ordered)


@dataclass
class CallEvents:
    """Events by call, and each call's first event as (occurred_at, 0, id) or, for events
    not stored yet, (occurred_at, 1, position): calls advance in that order, as if read back
    ordered by (occurred_at, id)."""
    by_call: dict[int, list[PbxEvent]] = field(default_factory=lambda: defaultdict(list))
    first: dict[int, tuple] = field(default_factory=dict)

    def add(self, call_id: int, event: PbxEvent, order: tuple) -> None:
        self.by_call[call_id].append(event)
        if call_id not in self.first or order < self.first[call_id]:
            self.first[call_id] = order

    def load(self, call_ids) -> None:
        """Add every stored event of these calls (plain tuples: no model instances)."""
        rows = (StoredPbxEvent.objects.filter(call_id__in=call_ids).order_by("occurred_at", "id")
                .values_list("id", *LOADED))
        for values in rows:
            self.add(values[1], values_to_event(values[1:]), (values[4], 0, values[0]))


def calls_advance(pbx: Pbx, call_ids: set[int], *, events: CallEvents | None = None,
                  calls: dict[int, Call] | None = None, new_call_ids=frozenset(),
                  watermark: datetime | None = None) -> list[tuple[Call, Derived]]:
    """Re-assemble the calls from every event they have, save them, and return the catalogue
    events that may go out (the caller stores only those not stored before).

    The stored call is the latest knowledge; what goes out is decided by emission.emissions
    from ``watermark`` (None: every source has been read to its end), and a call with events
    still waiting keeps the event time they wait for (Call.emit_due_at).
    ``events`` may hold calls' complete event lists already (the batch just stored them);
    the other calls' events are read from the database. ``calls`` may hold the calls' current rows;
    ``new_call_ids`` are calls created in this transaction (no legs stored yet).
    """
    tz = parse_timezone(pbx.timezone)
    calls = dict(calls or {})
    missing = [pk for pk in call_ids if pk not in calls]
    calls.update((c.pk, c) for c in Call.objects.filter(pk__in=missing)) if missing else None
    events = events or CallEvents()
    unread = [pk for pk in call_ids if pk not in events.by_call]
    events.load(unread) if unread else None
    order = sorted((pk for pk in call_ids if events.by_call.get(pk)), key=events.first.__getitem__)
    components = _components(pbx.account_id) if order else []
    emitted = _emitted([pk for pk in order if pk not in new_call_ids])
    assembled, derived = [], []
    for pk in order:
        call = calls[pk]
        ordered = normalise(events.by_call[pk], tz)  # once, for assembly and derivation alike
        record = assemble_normalised(ordered, tz=tz)
        if call.closed_reason and not record.ended:
            record = close_idle_call(record, call.closed_reason)
        stored = emitted.get(pk, set())
        emission = emissions(ordered, tz=tz, derive=_deriver(components, _anchor(ordered, stored)),
                             emitted=stored, watermark=watermark, record=record)
        last_at = ordered[-1].occurred_at  # the latest: ``ordered`` is sorted by time first
        assembled.append((call, record, last_at, emission.due))
        derived += [(call, d) for d in emission.events]
    calls_store(assembled, new_call_ids=new_call_ids)
    return derived
