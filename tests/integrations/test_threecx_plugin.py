"""The "3CX Webhook" plugin's requests: every shape in the seeds, errors, and properties."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.vocabulary.pbx_event import Kind
from integrations.push_errors import PushError
from integrations.threecx_plugin import parse_plugin_request

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threecx_plugin"
PRAGUE = ZoneInfo("Europe/Prague")
RECEIVED_AT = datetime(2023, 1, 2, 9, 46, tzinfo=timezone.utc)
RINGING = "event=ringing&callerid=420774852629&user=102&usertype=ext&did=D1&id=230102104542_15-0"


def event_as_dict(event) -> dict:
    return {
        "source": str(event.source),
        "kind": str(event.kind),
        "occurred_at": event.occurred_at.isoformat(),
        "pbx_call_id": event.pbx_call_id,
        "dedupe_key": event.dedupe_key,
        "data": event.data,
    }


def get(query_string: str, **overrides):
    return parse_plugin_request(
        **{
            "method": "GET",
            "query": dict(parse_qsl(query_string, keep_blank_values=True)),
            "body": None,
            "content_type": None,
            "tz": PRAGUE,
            "received_at": RECEIVED_AT,
            **overrides,
        }
    )


def post(body: bytes | str, content_type: str | None = "application/json"):
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return parse_plugin_request(
        method="POST", query={}, body=raw, content_type=content_type, tz=PRAGUE,
        received_at=RECEIVED_AT,
    )


def from_fixture(request: dict):
    body = request["body"]
    return parse_plugin_request(
        method=request["method"],
        query=dict(parse_qsl(request["query"], keep_blank_values=True)),
        body=body.encode("utf-8") if body is not None else None,
        content_type=request["content_type"],
        tz=ZoneInfo(request["tz"]),
        received_at=datetime.fromisoformat(request["received_at"]),
    )


@pytest.mark.parametrize(
    "request_file",
    sorted(FIXTURES.glob("*.request.json")),
    ids=lambda path: path.name.split(".")[0],
)
def test_plugin_fixture_gives_expected_events(request_file: Path) -> None:
    request = json.loads(request_file.read_text(encoding="utf-8"))
    expected_file = request_file.with_name(request_file.name.replace(".request.", ".events."))
    expected = json.loads(expected_file.read_text(encoding="utf-8"))

    assert [event_as_dict(event) for event in from_fixture(request)] == expected


def test_call_id_gives_pbx_call_id_link_and_unique_id() -> None:
    ringing = get(RINGING.replace("230102104542_15-0", "210701165649_698-2"))[1]

    assert ringing.pbx_call_id == "698"
    assert ringing.data["unique_call_id"] == "210701165649_698"
    assert ringing.data["plugin_call_id"] == "210701165649_698-2"
    assert ringing.data["link"] == 2


def test_call_start_is_dated_by_the_call_id_in_the_pbx_zone() -> None:
    start, ringing = get(RINGING)

    assert start.kind == Kind.CALL_INCOMING
    assert start.occurred_at == datetime(2023, 1, 2, 10, 45, 42, tzinfo=PRAGUE)
    assert ringing.occurred_at == RECEIVED_AT


def test_every_request_of_a_call_yields_the_same_start_key() -> None:
    ringing = get(RINGING)[0]
    ended = get("event=incoming&callerid=420774852629&finishtype=Ok&id=230102104542_15-1")[0]

    assert ringing.dedupe_key == ended.dedupe_key


def test_resent_request_has_the_same_dedupe_keys() -> None:
    first = [event.dedupe_key for event in get(RINGING)]
    again = [event.dedupe_key for event in get(RINGING, received_at=datetime.now(timezone.utc))]

    assert first == again


def test_same_request_by_get_and_by_post_has_the_same_dedupe_keys() -> None:
    as_json = json.dumps(dict(parse_qsl(RINGING)))

    assert [e.dedupe_key for e in get(RINGING)] == [e.dedupe_key for e in post(as_json)]


def test_ringing_of_two_users_gives_two_keys() -> None:
    first = get(RINGING)[1]
    second = get(RINGING.replace("user=102", "user=103"))[1]

    assert first.dedupe_key != second.dedupe_key


def test_original_fields_are_kept_under_plugin() -> None:
    ringing = get(RINGING + "&extra=kept")[1]

    assert ringing.data["plugin"]["extra"] == "kept"
    assert ringing.data["plugin"]["usertype"] == "ext"


def test_events_of_one_request_do_not_share_mutable_data() -> None:
    start, ringing = get(RINGING)
    start.data["plugin"]["event"] = "changed"

    assert ringing.data["plugin"]["event"] == "ringing"


def test_values_and_field_names_are_case_insensitive() -> None:
    events = get("EVENT=Ringing&UserType=EXT&user=102&Id=230102104542_15-0")

    assert [event.kind for event in events] == [Kind.CALL_INCOMING, Kind.USER_RINGING]


def test_queue_ringing_is_routed_to_the_queue() -> None:
    routed = get(RINGING.replace("usertype=ext", "usertype=queue").replace("102", "804"))[1]

    assert routed.kind == Kind.CALL_ROUTED
    assert routed.data["target_type"] == "queue"
    assert routed.data["target"] == "804"


def test_ended_by_transfer_does_not_terminate_the_call() -> None:
    events = get("event=incoming&user=102&finishtype=Ok&transfer=true&id=230102104542_15-1")

    assert Kind.CALL_TERMINATED not in [event.kind for event in events]
    assert events[-1].kind == Kind.CALL_TRANSFERRED
    assert events[-1].data["by_user"] == "102"


def test_recording_without_id_takes_the_call_from_the_file_name() -> None:
    (event,) = post('{"FILES": ["https://pbx:5001/webapi/recording/211230102738_669-1-1.mp3"]}')

    assert event.pbx_call_id == "669"
    assert event.data["plugin_call_id"] == "211230102738_669-1"


def test_empty_recording_list_gives_no_events() -> None:
    assert post('{"FILES": [], "id": "211230102738_669-1"}') == []


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("callerid=1&id=230102104542_15-0", "event", "missing"),
        ("event=picked&id=230102104542_15-0", "event", "unknown event 'picked'"),
        ("event=ringing&user=102", "id", "missing call id"),
        ("event=ringing&id=230102104542-15", "id", "bad call id"),
        ("event=ringing&id=231399104542_15-0", "id", "a date and time that exist"),
        ("event=ringing&usertype=robot&id=230102104542_15-0", "usertype", "unknown value 'robot'"),
        ("event=hangupincoming&trtype=Sideways&id=230102104542_15-1", "trtype", "Sideways"),
        ("event=incoming&finishtype=Maybe&id=230102104542_15-1", "finishtype", "Maybe"),
        ("event=incoming&transfer=perhaps&id=230102104542_15-1", "transfer", "perhaps"),
        # Checked whatever the event, though dialing does not read it.
        ("event=dialing&usertype=robot&id=230102104542_15-0", "usertype", "unknown value 'robot'"),
        ("event=ringing&usertype=e\u212at&id=230102104542_15-0", "usertype", "unknown value"),  # Kelvin sign
        ("event=ringing&id=230102104542_12345678901-0", "id", "bad call id"),
        ("event=ringing&user=" + "1" * 33 + "&id=230102104542_15-0", "user", "at most 32"),
        ("event=ringing&callerid=1\x002&id=230102104542_15-0", "callerid", "NUL"),
        ("event=ringing&id=230102104542_15-0&FILES=https://pbx/230102104542_15-1-1.mp3", "FILES", "POST"),
    ],
)
def test_malformed_query_names_the_field(query: str, field: str, message: str) -> None:
    with pytest.raises(PushError, match=message) as error:
        get(query)
    assert error.value.field == field


@pytest.mark.parametrize(
    "body, content_type, field",
    [
        (b"{not json", "application/json", "body"),
        (b'"just a string"', "application/json", "body"),
        (b"hello there", "text/plain", "body"),
        (b"see https://pbx/rec/230102104542_15-1-1.mp3 please", "text/plain", "body"),
        (b'{"event": "ringing", "callerid": 4.2, "id": "230102104542_15-0"}', "application/json", "callerid"),
        (b'{"event": "ringing", "user": 10000000000000000, "id": "230102104542_15-0"}', "application/json", "user"),
        (b'{"FILES": ["https://pbx/rec/230102104542_15-1-1.mp3", " "]}', "application/json", "FILES[1]"),
        (b'{"event": {"nested": 1}, "id": "230102104542_15-0"}', "application/json", "event"),
        (b'{"FILES": [1, 2]}', "application/json", "FILES"),
        (b'{"FILES": ["https://pbx/recording/no-id.mp3"]}', "application/json", "id"),
        (b"[" * 100_000, "application/json", "body"),
    ],
)
def test_malformed_body_names_the_field(body: bytes, content_type: str, field: str) -> None:
    with pytest.raises(PushError) as error:
        post(body, content_type)
    assert error.value.field == field


def test_other_methods_are_refused() -> None:
    with pytest.raises(PushError) as error:
        get(RINGING, method="PUT")
    assert error.value.field == "method"


def test_naive_received_at_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        get(RINGING, received_at=datetime(2023, 1, 2, 10, 46))


def test_invalid_utf8_body_is_replaced_not_fatal() -> None:
    body = b'{"event": "ringing", "user": "102", "did": "Z\xfcrich", "id": "230102104542_15-0"}'

    start = post(body)[0]

    assert start.data["did"] == "Z\ufffdrich"


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=30), max_size=8))
def test_arbitrary_query_raises_only_push_error(query: dict[str, str]) -> None:
    try:
        get("", query=query)
    except PushError:
        pass


@given(st.binary(max_size=300), st.sampled_from([None, "application/json", "text/plain"]))
def test_arbitrary_body_raises_only_push_error(body: bytes, content_type: str | None) -> None:
    try:
        post(body, content_type)
    except PushError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
plugin_keys = st.sampled_from(
    ["event", "id", "user", "usertype", "trtype", "finishtype", "transfer", "FILES"]
)
plugin_values = st.sampled_from(["ringing", "incoming", "hangupincoming", "230102104542_15-1"])


@given(st.dictionaries(plugin_keys, json_values | plugin_values))
def test_arbitrary_json_fields_raise_only_push_error(fields: dict) -> None:
    try:
        post(json.dumps(fields))
    except PushError:
        pass


def test_seed_003_files_fragment_is_read_also_as_application_json() -> None:
    body = '"FILES": ["https://fqdn.my3cx.eu:5001/webapi/recording/220726170922_4-1-1.mp3" ]'

    (event,) = post(body, "application/json")

    assert (event.kind, event.data["unique_call_id"]) == (Kind.RECORDING_SAVED, "220726170922_4")


def test_a_broken_fragment_is_still_not_json() -> None:
    with pytest.raises(PushError) as error:
        post('"FILES": [', "application/json")
    assert error.value.field == "body"


def test_a_live_request_is_dated_by_its_arrival() -> None:
    events = get(RINGING)  # the call id is 10:45:42 Prague, received 10:46:00

    assert [e.occurred_at for e in events] == [datetime(2023, 1, 2, 10, 45, 42, tzinfo=PRAGUE), RECEIVED_AT]


def test_a_replayed_end_is_dated_by_the_call_id_and_its_talk_time() -> None:
    end = ("event=incoming&callerid=1&user=102&finishtype=Ok&transfer=False&did=D"
           "&title=D:Answered call from 1 (1:02:03)&id=230102104542_15-1")

    events = get(end, received_at=datetime(2026, 12, 7, 22, 0, tzinfo=timezone.utc))

    start = datetime(2023, 1, 2, 10, 45, 42, tzinfo=PRAGUE)
    ended = next(e for e in events if e.kind == Kind.CALL_TERMINATED)
    assert timedelta(hours=1, minutes=2, seconds=3) <= ended.occurred_at - start < timedelta(hours=1, minutes=2, seconds=4)
    answered = next(e for e in events if e.kind == Kind.CALL_ANSWERED)
    assert (answered.data["user"], answered.data["talk_seconds"]) == ("102", 3723)


def test_replayed_ringings_keep_the_plugins_order_ivr_queue_phone() -> None:
    later = {"received_at": datetime(2026, 12, 7, 22, 0, tzinfo=timezone.utc)}
    phone = get(RINGING, **later)[-1]
    queue = get(RINGING.replace("usertype=ext", "usertype=queue"), **later)[1]
    ivr = get(RINGING.replace("usertype=ext", "usertype=other"), **later)[-1]

    assert ivr.occurred_at < queue.occurred_at < phone.occurred_at


def test_a_missed_end_names_the_phone_that_rang_unless_it_ended_in_a_queue() -> None:
    by_user = "event=incoming&callerid=1&user=102&finishtype=Missed&transfer=False&title=Missed call by User 102&id=230102104542_15-0"
    by_queue = "event=incoming&callerid=1&user=804&finishtype=Missed&transfer=False&title=Missed call by queue 804&id=230102104542_15-0"

    assert [e.data.get("user") for e in get(by_user) if e.kind == Kind.USER_RINGING] == ["102"]
    assert [e for e in get(by_queue) if e.kind == Kind.USER_RINGING] == []


def test_a_queue_ringing_opens_one_queue_leg_per_call_and_queue() -> None:
    events = get(RINGING.replace("usertype=ext", "usertype=queue").replace("user=102", "user=804"))

    (received,) = [e for e in events if e.kind == Kind.QUEUE_CALL_RECEIVED]
    assert (received.data["queue"], received.data["qcid"], received.pbx_call_id) == ("804", "230102104542_15@804", "15")
