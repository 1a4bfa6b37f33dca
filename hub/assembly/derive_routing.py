"""call_routed: each time the call reaches a queue, ring group, IVR or other routing object."""
from __future__ import annotations

from collections import Counter

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .catalogue_event import CatalogueEvent
from .draft import ext, name
from .names import Names
from .record import CallRecord, iso

_NAME_BOOKS = {"queue": "queues", "ring_group": "ring_groups"}


def routed_events(call: CallRecord, names: Names, events: list[PbxEvent], call_key: str) -> list[CatalogueEvent]:
    out: list[CatalogueEvent] = []
    seen: Counter[tuple[str, str]] = Counter()
    phones = {leg.user for leg in call.users}
    answered = transfers = 0
    for event in events:
        if event.kind is Kind.CALL_ANSWERED:
            answered += 1
        elif event.kind is Kind.CALL_TRANSFERRED:
            transfers += 1
        elif event.kind is Kind.CALL_ROUTED:
            target_type, target = str(event.data.get("target_type") or ""), ext(event.data.get("target"))
            # A user's phone is user_inbound's; an "other" number that then rang as a phone (the
            # plugin's POST scheme rings every number as other) was a phone.
            if target_type in ("", "user") or not target or (target_type == "other" and target in phones):
                continue
            if call.ended_at is not None and event.occurred_at > call.ended_at:
                continue  # a late routing of a call that is over
            seen[(target_type, target)] += 1
            label = name(event.data.get("target_name")) or getattr(names, _NAME_BOOKS.get(target_type, ""), {}).get(target, "")
            payload = {"type": "call_routed", "unique_call_id": call.unique_call_id,
                       "caller_id": call.caller_number, "caller_name": call.caller_name,
                       "dest_number": call.dest_number, "call_start_at": iso(call.call_start_at),
                       "target_type": target_type, "target_number": target, "target_name": label,
                       "transfer_link": 1 + transfers if answered else 0}
            leg = f"{target_type}{target}#{seen[(target_type, target)]}"
            out.append(CatalogueEvent(f"{call_key}:call_routed:{leg}", "call_routed", event.occurred_at, payload))
    return out
