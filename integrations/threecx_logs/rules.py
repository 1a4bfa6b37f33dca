"""Compiled rules and the per-message matcher.

A message is dispatched on its ``[Module]`` tag first, then each rule's cheap ``contains``
literal is tested before its regex, so most lines cost one dict lookup and a few substring
checks. Event rules must match the whole message; noise patterns only its start.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hub.vocabulary.pbx_event import Kind

from .coercions import Converter
from .kinds import CALL_ID_GROUP

UNRECOGNISED = "unrecognised"


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A record that produced no event, and why (``noise:<name>``, ``unrecognised``, …)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    module: str
    kind: Kind
    regex: re.Pattern[str]
    contains: str = ""
    converters: Mapping[str, Converter] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoiseRule:
    name: str
    module: str | None  # None: any module, or none at all
    regex: re.Pattern[str]
    contains: str = ""

    @property
    def reason(self) -> str:
        return f"noise:{self.name}"


class Match(NamedTuple):  # a tuple: one is made per parsed line
    rule: Rule
    pbx_call_id: str | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rules:
    name: str
    rules: Mapping[str, tuple[Rule, ...]]  # by module tag
    noise: Mapping[str | None, tuple[NoiseRule, ...]]  # by module tag; None = any

    def match(self, module: str, message: str) -> Match | Skip:
        for rule in self.rules.get(module, ()):
            if rule.contains not in message:
                continue
            found = rule.regex.fullmatch(message)
            if found is not None:
                return _extract(rule, found)
        return self._noise(module, message)

    def _noise(self, module: str, message: str) -> Skip:
        for group in (self.noise.get(module, ()), self.noise.get(None, ())):
            for noise in group:
                if noise.contains in message and noise.regex.match(message):
                    return Skip(noise.reason)
        return Skip(UNRECOGNISED)


def _extract(rule: Rule, found: re.Match[str]) -> Match | Skip:
    # Optional groups that did not take part are None: the key then means "not known".
    groups = found.groupdict()
    call_id = groups.pop(CALL_ID_GROUP, None)
    if not rule.converters:  # the common case: every group's text as it is
        if None in groups.values():
            groups = {k: v for k, v in groups.items() if v is not None}
        return Match(rule, call_id, {**rule.constants, **groups} if rule.constants else groups)
    data: dict[str, Any] = dict(rule.constants)
    for key, value in groups.items():
        if value is None:
            continue
        convert = rule.converters.get(key)
        try:
            data[key] = convert(value) if convert else value
        except ValueError:
            return Skip(f"invalid:{rule.name}")
    return Match(rule, call_id, data)
