"""Each dialect's requests, sent over real HTTP, against the seeds' own examples."""
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from hub.catalogue import CATALOGUE, payload_problems
from integrations.delivery import DIALECTS, USER_AGENT, EndpointConfig, render, send

from .conftest import LOOPBACK

FIXTURES = Path(__file__).parents[1] / "fixtures" / "delivery"
CASES = [
    pytest.param(dialect, case, id=f"{dialect}:{case['name']}")
    for dialect in ("3cx-plugin-get", "3cx-plugin-post", "3cx-to-rest", "json")
    for case in json.loads((FIXTURES / f"{dialect}.json").read_text())
]


def _seed_pairs(query: str) -> list[tuple[str, str]]:
    # The seeds print queries unencoded: split on & and the first = only.
    return [tuple(pair.split("=", 1)) for pair in query.split("&")]


def _endpoint(dialect: str, case: dict, receiver) -> EndpointConfig:
    options = dict(case.get("endpoint", {}))
    if "recording_url" in options:
        options["recording_url"] = receiver.url(options["recording_url"])
    base = receiver.url("/api/v1/3cx/events" if dialect == "3cx-to-rest" else "/hook")
    return EndpointConfig(url=base, dialect=dialect, secret_token="pbx-token-123", bearer_token="bearer-abc",
                          custom_headers={"X-Tenant": "acme"}, **options)


@pytest.mark.parametrize(("dialect", "case"), CASES)
def test_dialect_request_matches_seed_example(dialect, case, receiver):
    payload = {**CATALOGUE[case["trigger"]].sample, **case["payload"]}
    assert payload_problems(CATALOGUE[case["trigger"]], payload) == []  # a real catalogue event
    request = render(case["trigger"], payload, _endpoint(dialect, case, receiver))

    result = send(request, timeout=5, allow_networks=LOOPBACK)

    assert result.status_code == 200, result.error_message
    [got] = receiver.requests
    assert got.method == case["method"]
    assert got.path == case.get("path", "/hook")
    if "query_seed" in case:
        assert got.query == _seed_pairs(case["query_seed"])  # every field, in the plugin's order
        assert got.body == b""
    if "body_bytes" in case:
        assert got.body == case["body_bytes"].encode()
    if "body" in case:
        body, expected = json.loads(got.body), dict(case["body"])
        for name in case.get("ignore", []):
            assert name in body
            body.pop(name), expected.pop(name)
        assert body == expected
    if "keys" in case:
        assert list(json.loads(got.body)) == case["keys"]
    if got.method == "POST":
        assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == USER_AGENT
    assert got.headers["x-pbx-token"] == "pbx-token-123"
    assert got.headers["x-tenant"] == "acme"


def test_3cx_to_rest_sends_the_bearer_token(receiver):
    endpoint = EndpointConfig(url=receiver.url("/api"), dialect="3cx-to-rest", bearer_token="s3cret-token")
    send(render("call_received", CATALOGUE["call_received"].sample, endpoint), timeout=5, allow_networks=LOOPBACK)
    [got] = receiver.requests
    assert got.headers["authorization"] == "Bearer s3cret-token"
    assert "x-pbx-token" not in got.headers  # only when a secret token is set


def test_plugin_get_escapes_query_values_so_they_decode_exactly(receiver):
    payload = {**CATALOGUE["user_inbound"].sample, "caller_id": "+61 4&5=6", "dest_number": "Bendigo DID/Ünï"}
    endpoint = EndpointConfig(url=receiver.url("/hook?key=k1"), dialect="3cx-plugin-get")
    request = render("user_inbound", payload, endpoint)
    assert request.url.startswith(receiver.url("/hook?key=k1&event=ringing&callerid=%2B61%204%265%3D6&"))
    send(request, timeout=5, allow_networks=LOOPBACK)
    [got] = receiver.requests
    assert got.query[0] == ("key", "k1")
    assert ("callerid", "+61 4&5=6") in got.query and ("did", "Bendigo DID/Ünï") in got.query


def test_plugin_post_keeps_non_ascii_as_utf8_like_the_plugin():
    payload = {**CATALOGUE["user_inbound"].sample, "dest_number": "Måns"}
    request = render("user_inbound", payload, EndpointConfig(url="http://h/", dialect="3cx-plugin-post"))
    assert '"did":"Måns"'.encode() in request.body


def test_3cx_to_rest_escapes_like_go():
    payload = {**CATALOGUE["call_received"].sample, "caller_name": "Smith & <Sons>"}
    request = render("call_received", payload, EndpointConfig(url="http://h", dialect="3cx-to-rest"))
    assert b'"caller_name":"Smith \\u0026 \\u003cSons\\u003e"' in request.body
    assert json.loads(request.body)["caller_name"] == "Smith & <Sons>"


@pytest.mark.parametrize("trigger", ["webhook_component_event", "call_received", "agent_status", "call_direct"])
@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_plugin_dialects_send_nothing_for_triggers_the_plugin_lacks(dialect, trigger):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect)
    assert render(trigger, CATALOGUE[trigger].sample, endpoint) is None


@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_plugin_reports_a_ring_groups_missed_call_once_by_its_extension(dialect):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect)
    missed = {**CATALOGUE["ring_group_call"].sample, "status": "abandoned", "user_number": "", "user_name": "",
              "connected_at": None, "conversation_duration": 0, "call_connected_at": None}
    fields = _plugin_fields(render("ring_group_call", missed, endpoint))
    assert fields == [("event", "incoming"), ("callerid", "0438045630"), ("user", "830"), ("finishtype", "Missed"),
                      ("transfer", "False"), ("did", "0354060752"),
                      ("title", "0354060752:Missed call by ring group 830 from 0438045630"),
                      ("id", "250301091422_435-0")]
    phone = {**CATALOGUE["user_inbound_completed"].sample, "queue_name": "", "queue_number": "",
             "ring_group_number": "830", "connected_at": None, "conversation_duration": 0, "call_connected_at": None}
    assert render("user_inbound_completed", phone, endpoint) is None  # the ring group's end says it
    assert render("ring_group_call", CATALOGUE["ring_group_call"].sample, endpoint) is None  # answered: the user's
    went_on = {**missed, "call_connected_at": "2025-03-01T09:15:00+11:00"}  # forwarded on, answered there
    assert render("ring_group_call", went_on, endpoint) is None


@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_a_voicemail_goes_to_the_recording_url_as_the_missed_end_with_its_audio(dialect):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect, recording_url="http://h/records")
    request = render("voicemail", CATALOGUE["voicemail"].sample, endpoint)
    assert (request.method, request.url) == ("POST", "http://h/records")
    assert json.loads(request.body) == {
        "event": "incoming", "callerid": "0438045630", "user": "108", "finishtype": "Missed", "transfer": "False",
        "did": "0354060752", "title": "0354060752:Missed call by User 108 from 0438045630",
        "id": "250301091422_435-0", "FILES": CATALOGUE["voicemail"].sample["audio_file"]}
    short = EndpointConfig(url="http://h/", dialect=dialect, recording_full_info=False)
    assert json.loads(render("voicemail", CATALOGUE["voicemail"].sample, short).body) == \
        {"FILES": CATALOGUE["voicemail"].sample["audio_file"]}
    assert render("voicemail", {**CATALOGUE["voicemail"].sample, "audio_file": []}, endpoint) is None  # no link yet


def _plugin_fields(request) -> list[tuple[str, str]]:
    if request.method == "GET":
        return parse_qsl(urlsplit(request.url).query)
    return list(json.loads(request.body).items())


@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_plugin_reports_a_queue_call_once_at_queue_level(dialect):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect)
    missed_agent = {**CATALOGUE["user_inbound_completed"].sample, "connected_at": None, "conversation_duration": 0}
    answered_queue = CATALOGUE["queue_call"].sample
    assert render("user_inbound_completed", missed_agent, endpoint) is None  # the queue's row says it
    assert render("queue_call", answered_queue, endpoint) is None  # the agent's row says it


@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_plugin_sends_no_end_for_a_phone_that_stopped_ringing_while_another_answered(dialect):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect)
    missed = {**CATALOGUE["user_inbound_completed"].sample, "connected_at": None, "conversation_duration": 0,
              "queue_name": "", "queue_number": ""}
    assert render("user_inbound_completed", missed, endpoint) is None  # call_connected_at: someone answered
    assert render("user_inbound_completed", {**missed, "call_connected_at": None}, endpoint) is not None


@pytest.mark.parametrize("dialect", ["3cx-plugin-get", "3cx-plugin-post"])
def test_plugin_sends_no_queue_miss_for_a_queue_that_lost_the_call_to_another_that_answered(dialect):
    endpoint = EndpointConfig(url="http://h/", dialect=dialect)
    left = {**CATALOGUE["queue_call"].sample, "status": "abandoned", "user_number": "", "connected_at": None}
    assert render("queue_call", left, endpoint) is None
    request = render("queue_call", {**left, "call_connected_at": None}, endpoint)
    fields = dict(parse_qsl(urlsplit(request.url).query)) if request.method == "GET" else json.loads(request.body)
    assert (fields["user"], fields["finishtype"]) == ("822", "Missed")  # the queue's extension, not "Sales"
    assert "by queue 822 from" in fields["title"]


def test_plugin_talk_time_goes_to_hours():
    payload = {**CATALOGUE["user_outbound_completed"].sample, "conversation_duration": 3725}
    request = render("user_outbound_completed", payload, EndpointConfig(url="http://h/", dialect="3cx-plugin-post"))
    assert json.loads(request.body)["title"] == "Successful call to 61354060752 (1:02:05)"


@pytest.mark.parametrize("trigger", [k for k in CATALOGUE if CATALOGUE[k].family != "Queue legs (3CX Call Events to REST)"])
def test_3cx_to_rest_sends_cloud_triggers_only_when_given_a_path(trigger):
    endpoint = EndpointConfig(url="http://h/base", dialect="3cx-to-rest")
    assert render(trigger, CATALOGUE[trigger].sample, endpoint) is None
    mapped = EndpointConfig(url="http://h/base", dialect="3cx-to-rest", event_paths={trigger: "/cloud/x"})
    request = render(trigger, CATALOGUE[trigger].sample, mapped)
    assert request.url == "http://h/base/cloud/x"
    assert json.loads(request.body) == dict(CATALOGUE[trigger].sample)


def test_3cx_to_rest_empty_path_switches_an_event_off():
    endpoint = EndpointConfig(url="http://h/base", dialect="3cx-to-rest",
                              event_paths={"call_received": "", "call_answered": "/call/answered"})
    assert render("call_received", CATALOGUE["call_received"].sample, endpoint) is None
    assert render("call_answered", CATALOGUE["call_answered"].sample, endpoint) is not None


def test_3cx_to_rest_sends_no_event_whose_path_is_left_out_as_seed_000_does():
    endpoint = EndpointConfig(url="http://h/base", dialect="3cx-to-rest", event_paths={"call_answered": "/a"})
    assert render("call_received", CATALOGUE["call_received"].sample, endpoint) is None
    assert render("call_answered", CATALOGUE["call_answered"].sample, endpoint).url == "http://h/base/a"
    unset = EndpointConfig(url="http://h/base", dialect="3cx-to-rest")  # no config: the README's example paths
    assert render("call_received", CATALOGUE["call_received"].sample, unset).url == "http://h/base/call/received"


@pytest.mark.parametrize("trigger", list(CATALOGUE))
def test_json_dialect_sends_every_trigger_with_its_type(trigger):
    request = render(trigger, CATALOGUE[trigger].sample, EndpointConfig(url="http://h/"))
    body = json.loads(request.body)
    assert next(iter(body)) == "type" and body["type"] == trigger
    assert {k: v for k, v in body.items() if k != "type"} == {
        k: v for k, v in CATALOGUE[trigger].sample.items() if k != "type"}


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_custom_headers_cannot_override_the_hubs_headers(dialect):
    custom = {"webhook-signature": "v1,forged", "Host": "evil", "User-Agent": "x", "X-Pbx-Token": "forged",
              "Authorization": "Bearer forged", "X-Ok": "1"}
    endpoint = EndpointConfig(url="http://h/", dialect=dialect, secret_token="real", custom_headers=custom)
    trigger = "user_inbound" if dialect != "3cx-to-rest" else "call_received"
    request = render(trigger, CATALOGUE[trigger].sample, endpoint)
    lowered = {k.lower(): v for k, v in request.headers.items()}
    assert lowered["x-pbx-token"] == "real" and lowered["user-agent"] == USER_AGENT
    assert lowered["x-ok"] == "1"
    assert not {"webhook-signature", "host"} & set(lowered)
    assert lowered.get("authorization") != "Bearer forged"


def test_unknown_dialect_is_a_key_error():
    with pytest.raises(KeyError):
        render("user_inbound", CATALOGUE["user_inbound"].sample, EndpointConfig(url="http://h/", dialect="soap"))


def test_registering_a_dialect_twice_is_refused():
    from integrations.delivery.dialects import register
    with pytest.raises(ValueError):
        register("json")(lambda *a: None)


def test_3cx_to_rest_sends_an_internal_calls_empty_did_and_trunk_like_the_sample():
    # Seed 000's expected_events.json: call_direct of an internal call carries "did": "", "trunk": "".
    payload = {**CATALOGUE["call_direct"].sample, "did": "", "trunk": ""}
    request = render("call_direct", payload, EndpointConfig(url="http://h/", dialect="3cx-to-rest"))
    body = json.loads(request.body)
    assert (body["did"], body["trunk"]) == ("", "")
