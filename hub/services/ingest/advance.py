"""Bring stored calls up to date with all their events: assemble, store, derive."""
from __future__ import annotations

from collections import defaultdict

from hub.assembly import CatalogueEvent as Derived
from hub.assembly import assemble_call, close_idle_call, derive_events
from hub.assembly.components import Condition, component_fired_at, component_payload
from hub.models import Call, CallState, Pbx, StoredPbxEvent, WebhookComponent
from hub.services.ingest.call_store import calls_store
from hub.services.ingest.rows import to_event
from hub.vocabulary.pbx_event import PbxEvent
from hub.vocabulary.timezones import parse_timezone


def _component_events(pbx: Pbx, assembled: list) -> list[tuple[Call, Derived]]:
    components = list(WebhookComponent.objects.filter(account_id=pbx.account_id, enabled=True))
    out = []
    for call, record, _ in assembled if components else []:
        for component in components:
            condition = Condition(component.condition, component.target, component.seconds or 0)
            fired_at = component_fired_at(record, condition)
            if fired_at is not None:
                out.append((call, Derived(key=f"call{call.pk}:component:{component.pk}", trigger="webhook_component_event",
                                          occurred_at=fired_at, payload=component_payload(record, component.name))))
    return out


def calls_advance(pbx: Pbx, call_ids: set[int]) -> list[tuple[Call, Derived]]:
    """Re-assemble the calls from every event they have, save them, and return what they
    derive (the caller stores only the catalogue events not stored before)."""
    tz = parse_timezone(pbx.timezone)
    calls = {c.pk: c for c in Call.objects.filter(pk__in=call_ids)}
    by_call: dict[int, list[PbxEvent]] = defaultdict(list)
    last_at = {}
    for row in StoredPbxEvent.objects.filter(call_id__in=call_ids).order_by("occurred_at", "id"):
        by_call[row.call_id].append(to_event(row))
        last_at[row.call_id] = row.occurred_at
    ended_before = {pk for pk, c in calls.items() if c.state != CallState.IN_PROGRESS}
    assembled, derived = [], []
    for pk, events in by_call.items():
        record = assemble_call(events, tz=tz)
        if calls[pk].closed_reason and not record.ended:
            record = close_idle_call(record, calls[pk].closed_reason)
        assembled.append((calls[pk], record, last_at[pk]))
        derived += [(calls[pk], d) for d in derive_events(record, events, call_key=f"call{pk}",
                                                          ended_before=pk in ended_before)]
    calls_store(assembled)
    return derived + _component_events(pbx, assembled)
