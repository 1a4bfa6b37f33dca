"""An endpoint's filters (queues, users, DIDs) against a catalogue payload.

Each non-empty list must match one of the payload's fields of that kind (the cloud PBX's and
seed 000's names both count); an event without any such field does not match that filter.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FILTER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "queues": ("queue_name", "queue_number", "queue", "to_queue", "target_number", "target_name"),
    "users": ("user_number", "user_name", "agent", "extension"),
    "dids": ("did", "dest_number"),
}


def filters_match(filters: Mapping[str, Any] | None, payload: Mapping[str, Any]) -> bool:
    for kind, fields in FILTER_FIELDS.items():
        wanted = {str(v) for v in (filters or {}).get(kind) or []}
        if wanted and not any(str(payload.get(f)) in wanted for f in fields if payload.get(f) not in (None, "")):
            return False
    return True


def filter_problems(filters: Any) -> list[str]:
    if not isinstance(filters, dict):
        return ["must be an object like {\"queues\": [], \"users\": [], \"dids\": []}"]
    problems = [f"unknown filter {k!r}; known: {', '.join(FILTER_FIELDS)}" for k in filters if k not in FILTER_FIELDS]
    for kind, values in filters.items():
        if kind in FILTER_FIELDS and (not isinstance(values, list)
                                      or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)):
            problems.append(f"{kind}: must be a list of strings")
    return problems
