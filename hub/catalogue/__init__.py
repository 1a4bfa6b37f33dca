"""Every trigger the hub can deliver: the cloud PBX's webhooks, the hub's call_routed and seed
000's queue events.

Subscriptions store trigger keys; dialects render one catalogue event per trigger. Plain data.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .cloud import CLOUD_TRIGGERS
from .routing import ROUTING_TRIGGERS
from .seed000 import SEED000_TRIGGERS
from .types import FIELD_TYPES, Field, Trigger, payload_problems

CATALOGUE: Mapping[str, Trigger] = MappingProxyType(
    {t.key: t for t in (*CLOUD_TRIGGERS, *ROUTING_TRIGGERS, *SEED000_TRIGGERS)}
)


def get(key: str) -> Trigger:
    """The trigger named ``key``; KeyError for a key the hub does not know."""
    return CATALOGUE[key]


def families() -> dict[str, list[Trigger]]:
    """Triggers grouped by family, in catalogue order (for the UI's tick-boxes)."""
    grouped: dict[str, list[Trigger]] = {}
    for trigger in CATALOGUE.values():
        grouped.setdefault(trigger.family, []).append(trigger)
    return grouped


__all__ = ["CATALOGUE", "FIELD_TYPES", "Field", "Trigger", "families", "get", "payload_problems"]
