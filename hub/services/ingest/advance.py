"""Bring stored calls up to date with all their events: assemble, store, derive."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from hub.assembly import CatalogueEvent as Derived
from hub.assembly import close_idle_call, derive_events
from hub.assembly.assemble import assemble_normalised, normalise
from hub.assembly.components import Condition, component_fired_at, component_payload
from hub.models import Call, CallState, Pbx, StoredPbxEvent, WebhookComponent
from hub.services.ingest.call_store import calls_store
from hub.services.ingest.rows import LOADED, values_to_event
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


def _component_events(pbx: Pbx, assembled: list) -> list[tuple[Call, Derived]]:
    components = _components(pbx.account_id) if assembled else []
    out = []
    for call, record, _ in assembled if components else []:
        for pk, name, condition in components:
            fired_at = component_fired_at(record, condition)
            if fired_at is not None:
                out.append((call, Derived(key=f"call{call.pk}:component:{pk}", trigger="webhook_component_event",
                                          occurred_at=fired_at, payload=component_payload(record, name))))
    return out


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
                  calls: dict[int, Call] | None = None, new_call_ids=frozenset()) -> list[tuple[Call, Derived]]:
    """Re-assemble the calls from every event they have, save them, and return what they
    derive (the caller stores only the catalogue events not stored before).

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
    by_call = {pk: events.by_call[pk] for pk in order}
    ended_before = {pk for pk in call_ids if calls[pk].state != CallState.IN_PROGRESS}
    assembled, derived = [], []
    for pk, call_events in by_call.items():
        if not call_events:
            continue
        call = calls[pk]
        ordered = normalise(call_events, tz)  # once, for assembly and derivation alike
        record = assemble_normalised(ordered, tz=tz)
        if call.closed_reason and not record.ended:
            record = close_idle_call(record, call.closed_reason)
        last_at = ordered[-1].occurred_at  # the latest: ``ordered`` is sorted by time first
        assembled.append((call, record, last_at))
        derived += [(call, d) for d in derive_events(record, ordered, call_key=f"call{pk}",
                                                     ended_before=pk in ended_before, normalised=True)]
    calls_store(assembled, new_call_ids=new_call_ids)
    return derived + _component_events(pbx, assembled)
