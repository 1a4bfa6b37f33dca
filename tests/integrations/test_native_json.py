"""The hub's own push schema: valid pushes, each invalid field named, and properties."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.vocabulary.pbx_event import Kind, Source
from integrations.native_json import MAX_EVENTS, parse_native_push
from integrations.push_errors import PushError

RINGING = {
    "id": "pbx-7:evt-1",
    "kind": "user.ringing",
    "occurred_at": "2025-03-01T09:14:22+11:00",
    "pbx_call_id": "435",
    "data": {"user": "108", "user_name": "Mary Jones"},
}


def with_changes(**changes) -> dict:
    event = copy.deepcopy(RINGING)
    for key, value in changes.items():
        if value is ...:
            event.pop(key)
        else:
            event[key] = value
    return event


def voicemail_lasting(duration) -> dict:
    return with_changes(kind="voicemail.left", data={"user": "108", "duration": duration})


def test_single_object_gives_one_event() -> None:
    (event,) = parse_native_push(RINGING)

    assert event.source == Source.NATIVE
    assert event.kind == Kind.USER_RINGING
    plus_eleven = timezone(timedelta(hours=11))
    assert event.occurred_at == datetime(2025, 3, 1, 9, 14, 22, tzinfo=plus_eleven)
    assert event.pbx_call_id == "435"
    assert event.dedupe_key == "pbx-7:evt-1"
    assert event.data == {"user": "108", "user_name": "Mary Jones"}
    assert '"pbx-7:evt-1"' in event.raw


def test_list_gives_events_in_order() -> None:
    events = parse_native_push([RINGING, with_changes(id="pbx-7:evt-2", kind="call.answered")])

    assert [event.dedupe_key for event in events] == ["pbx-7:evt-1", "pbx-7:evt-2"]


def test_empty_list_gives_no_events() -> None:
    assert parse_native_push([]) == []


def test_unknown_data_keys_are_kept() -> None:
    (event,) = parse_native_push(with_changes(data={"user": "108", "crm_ticket": 42}))

    assert event.data["crm_ticket"] == 42


def test_data_and_pbx_call_id_are_optional() -> None:
    (event,) = parse_native_push(with_changes(data=..., pbx_call_id=...))

    assert event.data == {}
    assert event.pbx_call_id is None


def test_utc_z_suffix_is_accepted() -> None:
    (event,) = parse_native_push(with_changes(occurred_at="2025-02-28T22:14:22Z"))

    assert event.occurred_at == datetime(2025, 2, 28, 22, 14, 22, tzinfo=timezone.utc)


def test_an_offset_postgresql_cannot_store_is_read_as_its_instant() -> None:
    (event,) = parse_native_push(with_changes(occurred_at="2025-03-01T09:14:22-20:00"))

    assert event.occurred_at == datetime(2025, 3, 2, 5, 14, 22, tzinfo=timezone.utc)
    assert event.occurred_at.utcoffset() == timedelta(0)


def test_typed_data_values_are_accepted() -> None:
    status = {"agent": "108", "dialable": True, "registered": False, "logged_in": True}
    voicemail = {"user": "108", "duration": 21}

    events = parse_native_push(
        [
            with_changes(kind="agent.status", data=status),
            with_changes(id="2", kind="voicemail.left", data=voicemail),
        ]
    )

    assert [event.data for event in events] == [status, voicemail]


@pytest.mark.parametrize(
    "event, field, message",
    [
        (with_changes(id=...), "events[1].id", "missing"),
        (with_changes(id=""), "events[1].id", "non-empty string"),
        (with_changes(id=7), "events[1].id", "non-empty string"),
        (with_changes(id="x" * 101), "events[1].id", "longer than 100"),
        (with_changes(kind="user.dancing"), "events[1].kind", "unknown kind 'user.dancing'"),
        (with_changes(kind="cdr.record"), "events[1].kind", "cannot be pushed"),
        (with_changes(occurred_at=...), "events[1].occurred_at", "missing"),
        (with_changes(occurred_at="yesterday"), "events[1].occurred_at", "not an ISO 8601"),
        (with_changes(occurred_at="2025-03-01T09:14:22"), "events[1].occurred_at", "UTC offset"),
        (with_changes(occurred_at=1740800062), "events[1].occurred_at", "non-empty string"),
        (with_changes(pbx_call_id=435), "events[1].pbx_call_id", "string or null"),
        (with_changes(data=["user", "108"]), "events[1].data", "expected an object"),
        (with_changes(data={"user": 108}), "events[1].data.user", "expected a string"),
        (with_changes(occured_at="typo"), "events[1].occured_at", "unknown field"),
        (voicemail_lasting("00:21"), "events[1].data.duration", "whole number"),
        (voicemail_lasting(True), "events[1].data.duration", "whole"),
        (voicemail_lasting(-1), "events[1].data.duration", "whole"),
        (
            with_changes(kind="agent.status", data={"dialable": "yes"}),
            "events[1].data.dialable",
            "true or false",
        ),
        (
            with_changes(kind="call.routed", data={"target_type": "elevator"}),
            "events[1].data.target_type",
            "one of queue, ivr",
        ),
        (
            with_changes(kind="call.transferred", data={"transfer_type": "Blind"}),
            "events[1].data.transfer_type",
            "blind, attended",
        ),
        ("not an object", "events[1]", "expected a JSON object"),
        # Keys the assembler reads, typed: a wrong type was a 500 when the call was assembled.
        (with_changes(kind="call.answered", data={"user": "108", "talk_seconds": "7"}),
         "events[1].data.talk_seconds", "whole number"),
        (with_changes(kind="recording.saved", data={"file": "a.wav", "call_start_at": "soon"}),
         "events[1].data.call_start_at", "not an ISO 8601"),
        (with_changes(kind="queue.call_received", data={"qcid": "5", "agents_from_answers": "yes"}),
         "events[1].data.agents_from_answers", "true or false"),
        # What PostgreSQL cannot store is refused on every database.
        (with_changes(data={"user": "1" * 33}), "events[1].data.user", "at most 32"),
        (with_changes(data={"user": "108", "note": ["a\x00"]}), "events[1].data.note", "NUL"),
        (with_changes(pbx_call_id="4\x005"), "events[1].pbx_call_id", "NUL"),
        (voicemail_lasting(2**31), "events[1].data.duration", "whole number"),
        (with_changes(occurred_at="2025-03-01 09:14:22Z"), "events[1].occurred_at", "RFC 3339"),
        (with_changes(occurred_at="1969-12-31T23:59:59Z"), "events[1].occurred_at", "1970-2999"),
        (with_changes(occurred_at="2025-02-30T09:14:22Z"), "events[1].occurred_at", "ISO 8601"),
    ],
)
def test_invalid_event_error_names_its_field(event, field: str, message: str) -> None:
    with pytest.raises(PushError, match=message) as error:
        parse_native_push([RINGING, event])
    assert error.value.field == field


def test_single_object_errors_name_the_bare_field() -> None:
    with pytest.raises(PushError) as error:
        parse_native_push(with_changes(kind="nope"))
    assert error.value.field == "kind"


@pytest.mark.parametrize("payload", ["text", 3, None, True])
def test_payload_must_be_an_object_or_a_list(payload) -> None:
    with pytest.raises(PushError) as error:
        parse_native_push(payload)
    assert error.value.field == "body"


def test_at_most_max_events_per_push() -> None:
    pushes = [with_changes(id=f"evt-{number}") for number in range(MAX_EVENTS + 1)]

    assert len(parse_native_push(pushes[:MAX_EVENTS])) == MAX_EVENTS
    with pytest.raises(PushError, match="1001 events in one push; at most 1000") as error:
        parse_native_push(pushes)
    assert error.value.field == "events"


def test_error_message_includes_the_field() -> None:
    with pytest.raises(PushError) as error:
        parse_native_push([with_changes(kind="nope")])
    assert str(error.value).startswith("events[0].kind: ")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=12,
)
event_keys = st.sampled_from(["id", "kind", "occurred_at", "pbx_call_id", "data", "other"])
plausible = st.sampled_from(
    ["user.ringing", "agent.status", "2025-03-01T09:14:22+11:00", "2025-03-01", "435"]
) | st.dictionaries(st.sampled_from(["user", "duration", "dialable", "target_type"]), json_values)


@given(json_values)
def test_arbitrary_json_raises_only_push_error(payload) -> None:
    try:
        parse_native_push(payload)
    except PushError:
        pass


@given(st.lists(st.dictionaries(event_keys, json_values | plausible), max_size=3))
def test_arbitrary_event_objects_raise_only_push_error(payload) -> None:
    try:
        events = parse_native_push(payload)
    except PushError:
        return
    assert all(event.occurred_at.tzinfo is not None for event in events)
