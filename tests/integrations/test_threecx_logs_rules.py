"""Rules files: the shipped default, operator overrides, and clear errors for broken files."""
from __future__ import annotations

import re
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from hub.vocabulary.pbx_event import Kind, Source
from integrations.threecx_logs import RulesError, load_rules, parse_text, rules_from_toml
from integrations.threecx_logs.loader import DEFAULT_RULES

TZ = timezone(timedelta(hours=11))
ENV = "2025/03/01 09:14:22.101|0017|Info| "
MINIMAL = """
format = 1
[[rule]]
name = "term"
module = "CallFlow"
kind = "call.terminated"
pattern = 'Call\\(C:(?P<pbx_call_id>\\d+)\\): Terminated; reason=(?P<reason>.+)'
"""


def rule_error(text: str) -> str:
    with pytest.raises(RulesError) as info:
        rules_from_toml(text, origin="ops.toml")
    return str(info.value)


def test_default_rules_load_once_and_cover_every_service_log_kind():
    rules = load_rules()
    kinds = {rule.kind for group in rules.rules.values() for rule in group}

    assert rules is load_rules()
    assert kinds == set(Kind) - {Kind.CDR_RECORD}


def test_operator_file_can_change_one_wording(tmp_path: Path):
    v21 = DEFAULT_RULES.read_text("utf-8").replace(
        "Terminated; reason=(?P<reason>.+)", "Call ended \\((?P<reason>[^)]+)\\)"
    ).replace('contains = "Terminated; "', 'contains = "Call ended "')
    path = tmp_path / "v21.toml"
    path.write_text(v21, encoding="utf-8")
    line = f"{ENV}[CallFlow] Call(C:9): Call ended (TerminatedBySrc)\n"

    default = parse_text(line, tz=TZ, source=Source.CALLFLOW)
    custom = parse_text(line, tz=TZ, source=Source.CALLFLOW, rules=load_rules(path))

    assert default.skipped == {"unrecognised": 1}
    [event] = custom.events
    assert (event.kind, event.pbx_call_id, event.data) == (
        Kind.CALL_TERMINATED, "9", {"reason": "TerminatedBySrc"}
    )


def test_captured_group_overrides_a_rule_constant():
    rules = rules_from_toml(MINIMAL + 'set = { reason = "x" }\n')
    # the captured group wins over the constant
    [event] = parse_text(f"{ENV}[CallFlow] Call(C:1): Terminated; reason=Busy", tz=TZ,
                         source=Source.CALLFLOW, rules=rules).events
    assert event.data == {"reason": "Busy"}


def test_regex_that_does_not_compile_is_named():
    message = rule_error(MINIMAL.replace("(?P<reason>.+)", "(?P<reason>.+"))

    assert message.startswith("ops.toml: rule 'term': pattern does not compile")


def test_regex_lacking_a_required_group_is_refused():
    message = rule_error(MINIMAL.replace("(?P<reason>.+)", ".+"))

    assert "rule 'term'" in message and "required group reason" in message


def test_callflow_rule_must_capture_the_call_id():
    message = rule_error(MINIMAL.replace("(?P<pbx_call_id>\\d+)", "\\d+"))

    assert "required group pbx_call_id" in message


def test_group_that_is_not_a_data_key_of_the_kind_is_refused():
    message = rule_error(MINIMAL.replace("(?P<reason>", "(?P<reasn>"))

    assert "group(s) reasn are not data keys of call.terminated" in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('kind = "call.terminated"', 'kind = "call.exploded"'), "'call.exploded' is not produced"),
        (('kind = "call.terminated"', 'kind = "cdr.record"'), "'cdr.record' is not produced"),
        (('name = "term"', 'name = ""'), "rule #1: 'name' must be a non-empty string"),
        (('module = "CallFlow"\n', ""), "'module' must be a non-empty string"),
        (("pattern =", "patern ="), "unknown key(s) patern"),
        (("format = 1", "format = 2"), "format must be 1"),
        (("format = 1", "format = 1\ncolour = 'blue'"), "file: unknown key(s) colour"),
        (("[[rule]]", "[[rule]\n"), "not valid TOML"),
    ],
)
def test_malformed_rule_entries_are_reported(change, problem):
    assert problem in rule_error(MINIMAL.replace(*change))


def test_unknown_coercion_is_refused():
    message = rule_error(MINIMAL + 'coerce = { reason = "uppercase" }\n')

    assert "rule 'term': unknown coercion 'uppercase'" in message


def test_coercion_of_a_group_the_regex_lacks_is_refused():
    assert "coerce: unknown key(s) cause" in rule_error(MINIMAL + 'coerce = { cause = "int" }\n')


def test_duplicate_rule_names_are_refused():
    body = MINIMAL.split("[[rule]]")[1]
    assert "rule 'term': name used twice" in rule_error(MINIMAL + "[[rule]]" + body)


def test_target_type_table_only_maps_to_known_types():
    message = rule_error(MINIMAL + '[target_types]\n"Queue:" = "line"\n')

    assert "[target_types] 'Queue:'" in message and "'line' is not one of" in message


def test_noise_pattern_errors_name_the_entry():
    message = rule_error(MINIMAL + "[[noise]]\nname = 'Stats'\npattern = '('\n")

    assert message.startswith("ops.toml: noise 'Stats': pattern does not compile")


def test_unreadable_rules_file_raises_rules_error(tmp_path: Path):
    with pytest.raises(RulesError, match=re.escape(str(tmp_path / "missing.toml"))):
        load_rules(tmp_path / "missing.toml")


def test_value_a_coercion_rejects_is_counted_not_raised():
    line = f"{ENV}[QueueManager] Agent 7: status dial=7 dialable=maybe registered=1 loggedin=1"

    result = parse_text(line, tz=TZ, source=Source.QUEUEMANAGER)

    assert result.events == [] and result.skipped == {"invalid:queue.agent_status": 1}
