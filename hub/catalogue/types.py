"""The shapes of the catalogue: a trigger, its payload fields, and a payload check."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Field types a subscriber can rely on. "datetime" is an ISO 8601 string with the PBX's offset.
FIELD_TYPES: frozenset[str] = frozenset({"string", "integer", "boolean", "datetime", "list[string]"})


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str  # one of FIELD_TYPES
    meaning: str
    nullable: bool = False  # null until known (e.g. connected_at of a missed call)


@dataclass(frozen=True, slots=True)
class Trigger:
    key: str
    family: str
    title: str
    description: str
    fields: tuple[Field, ...]
    sample: Mapping[str, Any]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _is_iso_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


_CHECKS = {
    "string": lambda v: isinstance(v, str),
    # bool is an int in Python; a subscriber's schema would reject it, so must we.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "datetime": _is_iso_datetime,
    "list[string]": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
}


def payload_problems(trigger: Trigger, payload: Mapping[str, Any]) -> list[str]:
    """Everything that keeps ``payload`` from matching the trigger's fields; [] if it does."""
    problems = [f"missing {n}" for n in trigger.field_names if n not in payload]
    problems += [f"unexpected {n}" for n in payload if n not in trigger.field_names]
    for f in trigger.fields:
        if f.name not in payload:
            continue
        value = payload[f.name]
        if value is None and f.nullable:
            continue
        if not _CHECKS[f.type](value):
            problems.append(f"{f.name}: {value!r} is not {f.type}")
    return problems
