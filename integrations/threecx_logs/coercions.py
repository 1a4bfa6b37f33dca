"""Value converters a rule can apply to a captured group (``coerce = { group = "name" }``).

Each entry is a factory taking the loaded ``[target_types]`` table, so converters that need
file-level configuration get it bound once at load time instead of on every line.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Converter = Callable[[str], Any]

TARGET_TYPES = frozenset({"queue", "ivr", "ring_group", "user", "voicemail"})
_BOOLS = {"true": True, "false": False}


def to_seconds(value: str) -> int:
    """``00:01:03`` (or ``01:03``) -> 63."""
    seconds = 0
    for part in value.split(":"):
        if not part.isdigit():
            raise ValueError(f"not a duration: {value!r}")
        seconds = seconds * 60 + int(part)
    return seconds


def to_bool(value: str) -> bool:
    try:
        return _BOOLS[value.strip().lower()]
    except KeyError:
        raise ValueError(f"not a boolean: {value!r}") from None


def to_int(value: str) -> int:
    if not value.strip().isdigit():
        raise ValueError(f"not an integer: {value!r}")
    return int(value)


def to_name(value: str) -> str:
    # 3CX pads missing display names with blanks (`"  "`); the seed-000 payloads carry them as
    # "", so outer blanks go and inner spacing stays as written.
    return value.strip()


def _target_type(table: Mapping[str, str]) -> Converter:
    def convert(value: str) -> str:
        try:
            return table[value]
        except KeyError:
            raise ValueError(f"unknown target type token {value!r}") from None

    return convert


COERCIONS: dict[str, Callable[[Mapping[str, str]], Converter]] = {
    "int": lambda _table: to_int,
    "duration": lambda _table: to_seconds,
    "bool": lambda _table: to_bool,
    "name": lambda _table: to_name,
    "lower": lambda _table: str.lower,
    "target_type": _target_type,
}
