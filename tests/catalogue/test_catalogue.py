"""The event catalogue is complete and each trigger's sample matches its declared fields."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalogue import CATALOGUE, FIELD_TYPES, families, get, payload_problems

CLOUD = ["user_inbound", "user_inbound_answered", "user_inbound_completed", "user_outbound",
         "user_outbound_answered", "user_outbound_completed", "queue_call", "ring_group_call",
         "voicemail", "recording_inbound", "recording_outbound", "webhook_component_event"]
SEED = ["call_received", "call_answered", "call_terminated", "call_queue_transfer",
        "callback_requested", "callback_initiated", "callback_failed", "call_dtmf", "agent_status",
        "call_direct"]
HUB = ["call_routed"]  # the hub's own (the plugin's ringing of a queue or IVR)
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "3cx"


def test_catalogue_holds_the_cloud_pbx_twelve_the_hubs_own_and_seed_000_ten():
    assert list(CATALOGUE) == CLOUD + HUB + SEED


@pytest.mark.parametrize("key", CLOUD + HUB + SEED)
def test_sample_payload_has_exactly_the_declared_fields_and_types(key):
    trigger = get(key)
    assert payload_problems(trigger, trigger.sample) == []
    assert list(trigger.sample) == list(trigger.field_names)


@pytest.mark.parametrize("key", CLOUD + HUB + SEED)
def test_every_trigger_is_described_with_known_field_types(key):
    trigger = get(key)
    assert trigger.key == key and trigger.title and trigger.description and trigger.family
    assert {f.type for f in trigger.fields} <= FIELD_TYPES
    assert len(set(trigger.field_names)) == len(trigger.fields)
    assert all(f.meaning for f in trigger.fields)


@pytest.mark.parametrize("key", CLOUD[:-1])
def test_cloud_payloads_carry_their_type_and_the_common_call_fields(key):
    trigger = get(key)
    assert trigger.sample["type"] == key
    assert {"unique_call_id", "caller_id", "caller_name", "user_name", "user_number", "dest_number",
            "call_start_at"} <= set(trigger.field_names)


def test_families_group_every_trigger_once():
    grouped = families()
    assert [t.key for ts in grouped.values() for t in ts] == CLOUD[:8] + HUB + CLOUD[8:] + SEED
    assert list(grouped) == ["User calls", "Queues & ring groups", "Voicemail & recordings",
                             "Components", "Queue legs (3CX Call Events to REST)"]


def test_unknown_trigger_is_a_key_error():
    with pytest.raises(KeyError):
        get("call_exploded")


def test_payload_problems_names_missing_unexpected_and_mistyped_fields():
    sample = dict(get("agent_status").sample)
    del sample["agent"]
    sample |= {"extra": 1, "dialable": "yes"}
    assert sorted(payload_problems(get("agent_status"), sample)) == [
        "dialable: 'yes' is not boolean", "missing agent", "unexpected extra"]


def test_integer_fields_reject_booleans_and_datetimes_need_an_offset():
    sample = dict(get("queue_call").sample) | {"call_duration": True, "call_start_at": "2025-03-01T09:00:00"}
    assert len(payload_problems(get("queue_call"), sample)) == 2


def test_seed_000_fields_are_those_of_the_sample_expected_events():
    seen = {}
    for event in json.loads((SAMPLE / "expected_events.json").read_text("utf-8")):
        seen.setdefault(event.pop("event"), list(event))
    for key, fields in seen.items():
        assert list(get(key).field_names) == fields
