"""Read and validate a rules file (TOML). See ``rules/v20.toml`` for the format."""
from __future__ import annotations

import functools
import re
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

from hub.vocabulary.pbx_event import Kind

from .coercions import COERCIONS, TARGET_TYPES
from .kinds import CALL_ID_GROUP, SHAPES
from .rules import NoiseRule, Rule, Rules, RulesError

DEFAULT_RULES = Path(__file__).with_name("rules") / "v20.toml"
FORMAT = 1
_TOP_KEYS = {"format", "name", "target_types", "rule", "noise"}
_RULE_KEYS = {"name", "module", "kind", "pattern", "contains", "coerce", "set"}
_NOISE_KEYS = {"name", "module", "pattern", "contains"}


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in ``path``; ``None`` gives the shipped default (loaded once)."""
    if path is None:
        return _default_rules()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc}") from exc
    return rules_from_toml(text, origin=str(path))


@functools.cache
def _default_rules() -> Rules:
    return rules_from_toml(DEFAULT_RULES.read_text(encoding="utf-8"), origin=str(DEFAULT_RULES))


def rules_from_toml(text: str, *, origin: str = "<rules>") -> Rules:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{origin}: not valid TOML: {exc}") from exc
    return _Builder(origin).build(doc)


class _Builder:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> RulesError:
        return RulesError(f"{self.origin}: {where}: {problem}")

    def build(self, doc: dict[str, Any]) -> Rules:
        self.check_keys("file", doc, _TOP_KEYS)
        if doc.get("format") != FORMAT:
            raise self.fail("file", f"format must be {FORMAT}, got {doc.get('format')!r}")
        self.target_types = self.read_target_types(doc.get("target_types", {}))
        rules = [self.read_rule(i, entry) for i, entry in enumerate(doc.get("rule", []))]
        noise = [self.read_noise(i, entry) for i, entry in enumerate(doc.get("noise", []))]
        self.check_unique([r.name for r in rules], "rule")
        self.check_unique([n.name for n in noise], "noise")
        return Rules(str(doc.get("name", self.origin)), _group(rules), _group(noise))

    def check_keys(self, where: str, table: Any, allowed: set[str]) -> None:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")

    def check_unique(self, names: list[str], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self.fail(f"{what} {name!r}", "name used twice")
            seen.add(name)

    def read_target_types(self, table: Any) -> dict[str, str]:
        if not isinstance(table, dict):
            raise self.fail("[target_types]", "must be a table")
        for token, target_type in table.items():
            if target_type not in TARGET_TYPES:
                raise self.fail(
                    f"[target_types] {token!r}",
                    f"{target_type!r} is not one of {', '.join(sorted(TARGET_TYPES))}",
                )
        return dict(table)

    def text(self, where: str, entry: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = entry.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise self.fail(where, f"'{key}' must be a non-empty string")
        return value

    def compile(self, where: str, pattern: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.fail(where, f"pattern does not compile: {exc}") from exc

    def read_rule(self, index: int, entry: Any) -> Rule:
        where = f"rule #{index + 1}"
        self.check_keys(where, entry, _RULE_KEYS)
        name = self.text(where, entry, "name")
        where = f"rule {name!r}"
        kind = self.read_kind(where, self.text(where, entry, "kind"))
        regex = self.compile(where, self.text(where, entry, "pattern"))
        self.check_groups(where, kind, set(regex.groupindex))
        return Rule(
            name=name,
            module=self.text(where, entry, "module"),
            kind=kind,
            regex=regex,
            contains=self.text(where, entry, "contains", required=False),
            converters=self.read_coerce(where, entry.get("coerce", {}), set(regex.groupindex)),
            constants=self.read_constants(where, kind, entry.get("set", {})),
        )

    def read_kind(self, where: str, value: str) -> Kind:
        try:
            kind = Kind(value)
        except ValueError:
            kind = None
        if kind not in SHAPES:
            raise self.fail(where, f"kind {value!r} is not produced by 3CX service logs")
        return kind

    def check_groups(self, where: str, kind: Kind, groups: set[str]) -> None:
        shape = SHAPES[kind]
        unknown = sorted(groups - shape.allowed)
        if unknown:
            raise self.fail(where, f"group(s) {', '.join(unknown)} are not data keys of {kind}")
        for alternatives in shape.required:
            if not alternatives & groups:
                names = " or ".join(sorted(alternatives))
                raise self.fail(where, f"pattern lacks the required group {names}")

    def read_coerce(self, where: str, table: Any, groups: set[str]) -> dict:
        self.check_keys(f"{where} coerce", table, groups)
        converters = {}
        for group, coercion in table.items():
            factory = COERCIONS.get(coercion)
            if factory is None:
                known = ", ".join(sorted(COERCIONS))
                raise self.fail(where, f"unknown coercion {coercion!r} (known: {known})")
            converters[group] = factory(self.target_types)
        return converters

    def read_constants(self, where: str, kind: Kind, table: Any) -> dict:
        self.check_keys(f"{where} set", table, SHAPES[kind].allowed - {CALL_ID_GROUP})
        return dict(table)

    def read_noise(self, index: int, entry: Any) -> NoiseRule:
        where = f"noise #{index + 1}"
        self.check_keys(where, entry, _NOISE_KEYS)
        name = self.text(where, entry, "name")
        where = f"noise {name!r}"
        module = entry.get("module")
        if module is not None and not isinstance(module, str):
            raise self.fail(where, "'module' must be a string")
        regex = self.compile(where, self.text(where, entry, "pattern"))
        return NoiseRule(name, module, regex, self.text(where, entry, "contains", required=False))


def _group(items: list) -> dict:
    grouped: dict = defaultdict(list)
    for item in items:
        grouped[item.module].append(item)
    return {module: tuple(entries) for module, entries in grouped.items()}
