"""What stands before the parsers: the token, CSRF, the size limit, and never a 500."""
from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api.ingest.body import MAX_BODY_BYTES
from hub.models import StoredPbxEvent
from hub.selectors.ingest import pbx_for_ingest_token
from tests.api.push import NATIVE, PLUGIN, accepted, plugin_get, push_json
from tests.factories import make_account

NOT_FOUND = b'{"status":"error","message":"Not found"}'
EVENT = {"id": "e1", "kind": "call.incoming", "occurred_at": "2025-03-01T09:14:22+11:00", "pbx_call_id": "7"}
RINGING = "event=ringing&callerid=420774852629&user=102&usertype=ext&did=D1&id=230102104542_15-0"
ALLOWED = {202, 400, 404, 413}


def test_selector_finds_the_pbx_by_its_token_only(pushing_pbx) -> None:
    pbx, token = pushing_pbx

    assert pbx_for_ingest_token(token=token) == pbx
    assert pbx_for_ingest_token(token=token.upper()) is None
    assert pbx_for_ingest_token(token=token[:-1]) is None
    assert pbx_for_ingest_token(token="") is None
    assert pbx_for_ingest_token(token="\ud800") is None
    assert pbx_for_ingest_token(token="x" * 10_000) is None


def test_each_pbx_receives_only_its_own_pushes(client, pushing_pbx) -> None:
    pbx, token = pushing_pbx
    _, other, other_token = make_account("globex")

    push_json(client, other_token, EVENT)

    assert StoredPbxEvent.objects.filter(pbx=other).count() == 1
    assert StoredPbxEvent.objects.filter(pbx=pbx).count() == 0


@pytest.mark.parametrize("bad_token", [
    "unknown-but-well-formed-token-xx", "short", "x" * 5000, "with/slash", quote("ünïcödé"), "%00", "..", "%2F",
])
@pytest.mark.parametrize("method, url", [("post", NATIVE), ("get", PLUGIN), ("post", PLUGIN)])
def test_any_bad_token_gets_the_same_404_body(client, token, bad_token: str, method: str, url: str) -> None:
    # A valid body, so the reply cannot depend on anything but the token.
    data = json.dumps(EVENT) if url == NATIVE else json.dumps({"event": "ringing", "id": "230102104542_15-0"})
    response = getattr(client, method)(url.format(token=bad_token), data=data, content_type="application/json") \
        if method == "post" else client.get(url.format(token=bad_token) + "?" + RINGING)

    assert response.status_code == 404
    assert response.content == NOT_FOUND
    assert StoredPbxEvent.objects.count() == 0


def test_an_unknown_token_is_refused_before_the_body_is_looked_at(client, token) -> None:
    response = client.post(NATIVE.format(token="nope"), data=b"\xff" * (MAX_BODY_BYTES + 1), content_type="application/json")

    assert (response.status_code, response.content) == (404, NOT_FOUND)


def test_no_csrf_token_and_no_session_are_needed(token) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["csrftoken"] = "a" * 32  # a browser-like cookie without the matching header

    assert push_json(strict, token, EVENT).json() == accepted(1, 1)
    assert strict.post(PLUGIN.format(token=token), data=json.dumps({"event": "ringing", "user": "102",
                                                                     "id": "230102104542_15-0"}),
                       content_type="application/json").status_code == 202


def test_a_body_over_one_mebibyte_gets_413(client, token) -> None:
    for url in (NATIVE, PLUGIN):
        response = client.post(url.format(token=token), data=b" " * (MAX_BODY_BYTES + 1), content_type="application/json")

        assert response.status_code == 413
        assert response.json() == {"status": "error", "field": "body",
                                   "message": f"body: larger than {MAX_BODY_BYTES} bytes"}


def test_a_body_of_exactly_one_mebibyte_is_read(client, token) -> None:
    body = json.dumps(EVENT).encode()
    padded = b" " * (MAX_BODY_BYTES - len(body)) + body

    assert push_json(client, token, padded).status_code == 202


def test_a_declared_length_over_the_limit_is_refused_unread(client, token) -> None:
    response = client.post(NATIVE.format(token=token), data=json.dumps(EVENT), content_type="application/json",
                           CONTENT_LENGTH=str(MAX_BODY_BYTES + 1))

    assert response.status_code == 413


def test_other_methods_are_not_allowed(client, token) -> None:
    assert client.put(NATIVE.format(token=token), data="{}").status_code == 405
    assert client.get(NATIVE.format(token=token)).status_code == 405
    assert client.delete(PLUGIN.format(token=token)).status_code == 405


def test_too_many_query_fields_is_a_400_naming_the_query(client, token) -> None:
    response = plugin_get(client, token, RINGING + "&" + "&".join(f"f{i}=1" for i in range(1500)))

    assert response.status_code == 400
    assert response.json()["field"] == "query"


# --- never a 500: whatever arrives, the reply is one of ours --------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
content_types = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain",
                                 "multipart/form-data; boundary=x", "", "application/octet-stream"]) | st.text(max_size=30)
KINDS = ["call.incoming", "call.outgoing", "call.routed", "user.ringing", "call.answered", "call.forwarded",
         "call.transferred", "voicemail.left", "recording.saved", "call.terminated", "queue.call_received",
         "queue.agent_ringing", "queue.call_answered", "queue.call_terminated", "queue.call_transferred",
         "queue.callback_requested", "queue.callback_initiated", "queue.callback_failed", "agent.status",
         "cdr.record", "nonsense"]
DATA_KEYS = ["caller_number", "did", "user", "target_type", "target", "reason", "qcid", "queue", "agent",
             "for_qcid", "to_qcid", "transfer_type", "duration", "file", "dest_number", "by_user", "logged_in"]
small_text = st.text(max_size=12) | st.sampled_from(["102", "804", "queue", "user", "blind", "Serviced", "1"])
native_events = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=8), "kind": st.sampled_from(KINDS),
     "occurred_at": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | st.text(max_size=10)},
    optional={"pbx_call_id": st.none() | small_text,
              "data": st.dictionaries(st.sampled_from(DATA_KEYS), small_text | json_values, max_size=6)},
)
PLUGIN_KEYS = ["event", "callerid", "user", "usertype", "did", "trtype", "finishtype", "transfer", "title", "id", "FILES"]
plugin_fields = st.dictionaries(
    st.sampled_from(PLUGIN_KEYS) | st.text(max_size=6),
    st.sampled_from(["ringing", "dialing", "hangupincoming", "hangupoutgoing", "incoming", "outgoing", "ext",
                     "queue", "other", "Ok", "Missed", "NotDef", "Blind", "Accomp", "True", "False", "empty"])
    | st.from_regex(r"\d{12}_\d{1,4}-\d", fullmatch=True) | st.text(max_size=20),
    max_size=8,
)


def _assert_ours(response) -> None:
    assert response.status_code in ALLOWED, response.content
    assert response["Content-Type"] == "application/json"


@FUZZ
@given(body=st.binary(max_size=2000), content_type=content_types, url=st.sampled_from([NATIVE, PLUGIN]))
def test_arbitrary_bytes_never_give_a_500(client, token, body: bytes, content_type: str, url: str) -> None:
    _assert_ours(client.post(url.format(token=token), data=body, content_type=content_type))


@FUZZ
@given(payload=json_values, url=st.sampled_from([NATIVE, PLUGIN]))
def test_arbitrary_json_never_gives_a_500(client, token, payload, url: str) -> None:
    _assert_ours(client.post(url.format(token=token), data=json.dumps(payload), content_type="application/json"))


@settings(FUZZ, report_multiple_bugs=False)
@given(events=st.lists(native_events, max_size=6) | native_events)
def test_event_shaped_native_pushes_never_give_a_500(client, token, events) -> None:
    _assert_ours(push_json(client, token, events))


@FUZZ
@given(fields=plugin_fields, shape=st.sampled_from(["get", "json", "form"]))
def test_plugin_shaped_requests_never_give_a_500(client, token, fields: dict, shape: str) -> None:
    url = PLUGIN.format(token=token)
    if shape == "get":
        response = client.get(url, fields)
    elif shape == "json":
        response = client.post(url, data=json.dumps(fields), content_type="application/json")
    else:
        response = client.post(url, data=urlencode(fields, doseq=True), content_type="application/x-www-form-urlencoded")
    _assert_ours(response)


@pytest.mark.parametrize("kind, data", [
    ("queue.call_received", {"queue": "804"}),
    ("queue.call_transferred", {"queue": "804", "qcid": "12"}),
    ("queue.callback_initiated", {"queue": "804", "qcid": "13"}),
])
def test_queue_event_without_its_qcid_is_refused_not_a_crash(client, token, kind: str, data: dict) -> None:
    response = push_json(client, token, {**EVENT, "kind": kind, "data": data})

    assert response.status_code == 400
    assert response.json()["field"].startswith("data.")


def test_plugin_json_with_a_lone_surrogate_escape_is_refused_not_a_crash(client, token) -> None:
    body = b'{"event": "ringing", "user": "\\ud800", "usertype": "ext", "id": "230102104542_15-0"}'

    response = client.post(PLUGIN.format(token=token), data=body, content_type="application/json")

    assert response.status_code == 400


@FUZZ
@given(raw_query=st.binary(max_size=300))
def test_arbitrary_query_strings_never_give_a_500(client, token, raw_query: bytes) -> None:
    # A WSGI server hands the query string over as bytes decoded as Latin-1.
    _assert_ours(client.get(PLUGIN.format(token=token), QUERY_STRING=raw_query.decode("latin-1")))


@FUZZ
@given(bad_token=st.text(min_size=1, max_size=300))
def test_arbitrary_tokens_get_the_404(client, token, bad_token: str) -> None:
    response = client.post(NATIVE.format(token=quote(bad_token, safe="")), data=json.dumps(EVENT),
                           content_type="application/json")
    assert (response.status_code, response.content) == (404, NOT_FOUND)


def test_over_long_call_id_is_refused_naming_it(client, token) -> None:
    response = push_json(client, token, {**EVENT, "pbx_call_id": "9" * 300})

    assert response.status_code == 400
    assert response.json()["field"] == "pbx_call_id"


@pytest.mark.parametrize("send, field", [
    pytest.param(lambda c, t: plugin_get(c, t, RINGING.replace("user=102", "user=" + "1" * 500)), "user",
                 id="over-long user"),
    pytest.param(lambda c, t: plugin_get(c, t, RINGING.replace("user=102", "user=1%002")), "user", id="NUL in a field"),
    pytest.param(lambda c, t: push_json(c, t, {**EVENT, "data": {"caller_number": "12\u00003"}}), "data.caller_number",
                 id="NUL in data"),
    pytest.param(lambda c, t: push_json(c, t, {**EVENT, "data": {"caller_number": "1" * 65}}), "data.caller_number",
                 id="over-long data"),
])
def test_values_the_database_cannot_store_are_a_400_naming_them(client, token, send, field: str) -> None:
    # PostgreSQL refuses them (length limits, NUL bytes) where SQLite would store them: the
    # adapters refuse them first, on every database, and say which field is at fault.
    response = send(client, token)

    assert response.status_code == 400
    assert response.json()["field"] == field
