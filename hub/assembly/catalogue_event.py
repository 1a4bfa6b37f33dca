"""A catalogue event derived from a call: what the outbox stores, keyed for idempotence."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Triggers that describe a call still ringing or talking. Once the caller has seen the call
# end, a new one of these is stale (a late "ringing") and must not be delivered.
LIVE_TRIGGERS: frozenset[str] = frozenset({
    "user_inbound", "user_inbound_answered", "user_outbound", "user_outbound_answered",
    "call_received", "call_answered", "call_dtmf", "call_direct", "call_routed",
})

# Order of triggers stamped with the same instant, as the PBX would have lived them.
_RANK = {key: i for i, key in enumerate((
    "user_outbound", "call_routed", "call_received", "call_dtmf", "user_inbound", "call_direct", "call_answered",
    "user_inbound_answered", "user_outbound_answered", "call_queue_transfer", "callback_requested",
    "call_terminated", "queue_call", "user_inbound_completed", "user_outbound_completed",
    "ring_group_call", "voicemail", "recording_inbound", "recording_outbound",
    "callback_initiated", "callback_failed", "agent_status",
))}


@dataclass(frozen=True, slots=True)
class CatalogueEvent:
    key: str  # stable across re-derivations: insert only keys not stored yet
    trigger: str  # a hub.catalogue key
    occurred_at: datetime
    payload: dict[str, Any]  # exactly the catalogue fields of ``trigger``

    @property
    def live(self) -> bool:
        return self.trigger in LIVE_TRIGGERS


def in_catalogue_order(events: Iterable[CatalogueEvent]) -> list[CatalogueEvent]:
    return sorted(events, key=lambda e: (e.occurred_at, _RANK.get(e.trigger, 99), e.key))
