"""The 3CX Webhook plugin pushing to the hub: every request shape of seeds 002/003, end to end."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.models import Call, CallState, CatalogueEvent, StoredPbxEvent
from tests.api.push import PLUGIN, accepted, plugin_get, plugin_post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threecx_plugin"

# Seed 002, GET scheme: an incoming call through IVR 800 and queue 804, answered by 102.
GET_ANSWERED = [
    "event=ringing&callerid=420774852629&user=800&usertype=other&did=DID-420222000320&id=230102104542_15-0",
    "event=ringing&callerid=420774852629&user=804&usertype=queue&did=DID-420222000320&id=230102104542_15-0",
    "event=ringing&callerid=420774852629&user=102&usertype=ext&did=DID-420222000320&id=230102104542_15-0",
    "event=hangupincoming&callerid=420774852629&user=102&did=DID-420222000320&trtype=NotDef&id=230102104542_15-1",
    "event=incoming&callerid=420774852629&user=102&finishtype=Ok&transfer=False&did=DID-420222000320"
    "&title=DID-420222000320:Answered call from 420774852629 (0:07)&id=230102104542_15-1",
]
# ... and its recording request: a POST of the bare link, quotes and all.
GET_RECORDING = "‘https://3CXDQDN:5001/webapi/recording/230102104542_15-1-1.mp3’"

GET_MISSED_IN_QUEUE = [
    "event=ringing&callerid=420774852629&user=800&usertype=other&did=DID-420222000320&id=230102154720_16-0",
    "event=ringing&callerid=420774852629&user=804&usertype=queue&did=DID-420222000320&id=230102154720_16-0",
    "event=ringing&callerid=420774852629&user=102&usertype=ext&did=DID-420222000320&id=230102154720_16-0",
    "event=incoming&callerid=420774852629&user=804&finishtype=Missed&transfer=False&did=DID-420222000320"
    "&title=DID-420222000320:Missed call by queue 804 from 420774852629&id=230102154720_16-0",
]
GET_OUTGOING_UNANSWERED = [
    "event=dialing&callerid=420774852629&user=102&id=230102184431_17-0",
    "event=outgoing&callerid=420774852629&user=102&finishtype=Missed&transfer=False&did="
    "&title=Unanswered call to 420774852629&id=230102184431_17-0",
]

# Seed 002, POST scheme (JSON bodies; the seed's typographic quotes made straight).
POST_ANSWERED = [
    {"event": "ringing", "callerid": "420774852629", "user": "800", "usertype": "other",
     "did": "DID-420222000320", "id": "230115121143_9-1"},
    {"event": "ringing", "callerid": "420774852629", "user": "804", "usertype": "other",
     "did": "DID-420222000320", "id": "230115121143_9-1"},
    {"event": "ringing", "callerid": "420774852629", "user": "102", "usertype": "other",
     "did": "DID-420222000320", "id": "230115121143_9-1"},
    {"event": "hangupincoming", "callerid": "420774852629", "user": "102", "usertype": "other",
     "did": "DID-420222000320", "id": "230115121143_9-1"},
    {"event": "incoming", "callerid": "420774852629", "user": "102", "usertype": "other",
     "transfer": "False", "did": "DID-420222000320",
     "title": "DID-420222000320:Answered call from 420774852629 (0:07)", "id": "230115121143_9-1"},
    {"event": "incoming", "callerid": "420774852629", "user": "102", "finishtype": "OK",
     "transfer": "false", "did": "empty", "title": "Successful call to 420774852629 (0:07)",
     "id": "230115121143_9-1",
     "FILES": ["https://{3CXFQDN:PORT}/webapi/recording/230115121143_9-1-1.mp3"]},
]
POST_MISSED = [
    {"event": "ringing", "callerid": "420774852629", "user": "102", "usertype": "other",
     "did": "DID-420222000320", "id": "230115121143_9-1"},
    {"event": "incoming", "callerid": "420774852629", "user": "102", "finishtype": "Missed",
     "transfer": "False", "did": "DID-420222000320",
     "title": "DID-74994041720:Missed call by User 102 from 74953836874", "id": "230115121143_9-1"},
]
POST_OUTGOING_ANSWERED = [
    {"event": "dialing", "callerid": "420774852629", "user": "102", "id": "230128205250_5-0"},
    {"callerid": "420774852629", "event": "hangupoutgoing", "user": "102", "did": "",
     "trtype": "NotDef", "id": "230128205250_5-1"},
    {"event": "outgoing", "callerid": "420774852629", "user": "102", "finishtype": "Ok",
     "transfer": "False", "did": "", "title": "Successful call to 420774852629 (0:11)",
     "id": "230128205250_5-1"},
    {"FILES": ["https://{3CXFQDN:PORT}/webapi/recording/230128205250_5-1-1.mp3"], "event": "outgoing",
     "callerid": "420774852629", "user": "102", "finishtype": "Ok", "transfer": "False", "did": "",
     "title": "Successful call to 420774852629 (0:11)", "id": "230128205250_5-1"},
]


def only_call() -> Call:
    (call,) = Call.objects.all()
    return call


def triggers(call: Call) -> list[str]:
    return list(CatalogueEvent.objects.filter(call=call).order_by("sequence").values_list("trigger", flat=True))


def send_fixture(client, token: str, request: dict):
    url = PLUGIN.format(token=token) + (f"?{request['query']}" if request["query"] else "")
    body = (request["body"] or "").encode("utf-8")
    return client.generic(request["method"], url, data=body, content_type=request["content_type"] or "")


@pytest.mark.parametrize("request_file", sorted(FIXTURES.glob("*.request.json")),
                         ids=lambda path: path.name.split(".")[0])
def test_every_plugin_request_shape_is_stored_as_its_parser_says(client, token, pbx, request_file: Path) -> None:
    request = json.loads(request_file.read_text(encoding="utf-8"))
    expected = json.loads(request_file.with_name(request_file.name.replace(".request.", ".events.")).read_text())

    response = send_fixture(client, token, request)

    assert response.status_code == 202, response.content
    assert response.json() == accepted(len(expected), len(expected))
    stored = StoredPbxEvent.objects.filter(pbx=pbx).order_by("id")
    # The arrival time dates all but the call's start, so compare everything else.
    assert sorted((e.source, e.kind, e.pbx_call_id, e.dedupe_key, json.dumps(e.data, sort_keys=True)) for e in stored) == \
        sorted((x["source"], x["kind"], x["pbx_call_id"], x["dedupe_key"], json.dumps(x["data"], sort_keys=True))
               for x in expected)


def test_get_scheme_answered_call_gives_an_answered_user_leg_and_its_recording(client, token) -> None:
    for query in GET_ANSWERED:
        assert plugin_get(client, token, query).status_code == 202
    assert plugin_post(client, token, GET_RECORDING, content_type="text/plain").json() == accepted(1, 1)

    call = only_call()
    assert (call.unique_call_id, call.direction, call.state) == ("230102104542_15", "inbound", CallState.ENDED)
    assert (call.caller_number, call.did) == ("420774852629", "DID-420222000320")
    assert call.connected_at is not None
    (leg,) = call.user_legs.all()
    assert (leg.user, leg.status, leg.via_queue) == ("102", "answered", "804")
    (queue,) = call.queue_legs.all()
    assert (queue.queue, queue.status, queue.agent) == ("804", "answered", "102")
    assert [r.file for r in call.recordings.all()] == ["https://3CXDQDN:5001/webapi/recording/230102104542_15-1-1.mp3"]
    assert set(triggers(call)) == {"call_received", "call_routed", "user_inbound", "user_inbound_answered",
                                   "user_inbound_completed", "queue_call", "recording_inbound"}


def test_each_request_also_carries_the_call_start_so_later_ones_report_it_as_a_duplicate(client, token) -> None:
    assert plugin_get(client, token, GET_ANSWERED[0]).json() == accepted(2, 2)
    # The queue's ringing: the start again, the routing, and the queue leg it opens.
    assert plugin_get(client, token, GET_ANSWERED[1]).json() == accepted(3, 2, duplicates=1)


def test_get_scheme_call_missed_in_the_queue_ends_without_an_answer(client, token) -> None:
    for query in GET_MISSED_IN_QUEUE:
        assert plugin_get(client, token, query).status_code == 202

    call = only_call()
    assert (call.unique_call_id, call.state, call.connected_at) == ("230102154720_16", CallState.ENDED, None)
    assert [(leg.user, leg.status) for leg in call.user_legs.all()] == [("102", "missed")]


def test_get_scheme_unanswered_outgoing_call(client, token) -> None:
    for query in GET_OUTGOING_UNANSWERED:
        assert plugin_get(client, token, query).status_code == 202

    call = only_call()
    assert (call.direction, call.state, call.connected_at) == ("outbound", CallState.ENDED, None)
    assert call.dest_number == "420774852629"


def test_post_scheme_answered_call_with_full_info_recording(client, token) -> None:
    for body in POST_ANSWERED:
        assert plugin_post(client, token, body).status_code == 202

    call = only_call()
    assert (call.unique_call_id, call.state) == ("230115121143_9", CallState.ENDED)
    assert [(leg.user, leg.status) for leg in call.user_legs.all()] == [("102", "answered")]
    assert [r.file for r in call.recordings.all()] == ["https://{3CXFQDN:PORT}/webapi/recording/230115121143_9-1-1.mp3"]
    assert "user_inbound_answered" in triggers(call)


def test_post_scheme_missed_call(client, token) -> None:
    for body in POST_MISSED:
        assert plugin_post(client, token, body).status_code == 202

    call = only_call()
    assert (call.state, call.connected_at) == (CallState.ENDED, None)
    # The POST scheme's seed rings 102 with usertype "other"; the missed end names 102 (not a
    # queue: "Missed call by User 102"), so 102's phone rang, from that ringing on.
    (leg,) = call.user_legs.all()
    assert (leg.user, leg.status, leg.answered_at) == ("102", "missed", None)
    assert leg.rang_at is not None and leg.rang_at < call.ended_at
    # The seed's ringing with usertype "other" is a routing step as well (call_routed).
    assert triggers(call) == ["call_routed", "user_inbound", "call_direct", "user_inbound_completed"]


def test_post_scheme_answered_outgoing_call(client, token) -> None:
    for body in POST_OUTGOING_ANSWERED:
        assert plugin_post(client, token, body).status_code == 202

    call = only_call()
    assert (call.unique_call_id, call.direction, call.state) == ("230128205250_5", "outbound", CallState.ENDED)
    assert call.connected_at is not None
    assert call.recordings.count() == 1


def test_seed_003_call_end_then_its_recording(client, token) -> None:
    query = ("event=incoming&callerid=420774852640&user=102&finishtype=Ok&transfer=False&did=DID-420223003090"
             "&title=DID-420223003090:Success call 420774852640(3:24)&id=220726170922_4-1")
    assert plugin_get(client, token, query).status_code == 202
    files = {"FILES": ["https://fqdn.my3cx.eu:5001/webapi/recording/220726170922_4-1-1.mp3"]}
    assert plugin_post(client, token, files).json() == accepted(1, 1)

    call = only_call()
    assert call.unique_call_id == "220726170922_4"
    assert [r.file for r in call.recordings.all()] == files["FILES"]


def test_form_encoded_post_is_read_like_a_query_string(client, token, pbx) -> None:
    body = "event=ringing&callerid=420774852629&user=102&usertype=ext&did=DID-420222000320&id=230102104542_15-0"
    assert plugin_post(client, token, body, content_type="application/x-www-form-urlencoded").json() == accepted(2, 2)
    assert set(StoredPbxEvent.objects.filter(pbx=pbx).values_list("kind", flat=True)) == {"call.incoming", "user.ringing"}


def test_a_resent_plugin_request_stores_nothing_new(client, token, pbx) -> None:
    for query in GET_ANSWERED:
        plugin_get(client, token, query)
    before = (StoredPbxEvent.objects.count(), CatalogueEvent.objects.count())

    # The end: the start, the answer it witnesses (0:07 of talk), the end itself.
    assert plugin_get(client, token, GET_ANSWERED[-1]).json() == accepted(3, 0, duplicates=3)
    assert (StoredPbxEvent.objects.count(), CatalogueEvent.objects.count()) == before


@pytest.mark.parametrize("query, field", [
    ("callerid=1&user=102&id=230102104542_15-0", "event"),
    ("event=ringing&user=102&id=230102104542_15-0&usertype=phone", "usertype"),
    ("event=ringing&user=102", "id"),
    ("event=ringing&user=102&id=15-0", "id"),
    ("event=hangup&id=230102104542_15-0", "event"),
    ("event=incoming&id=230102104542_15-1&finishtype=Maybe", "finishtype"),
])
def test_malformed_plugin_request_names_its_field(client, token, query: str, field: str) -> None:
    response = plugin_get(client, token, query)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["message"].startswith(f"{field}: ")
    assert StoredPbxEvent.objects.count() == 0


def test_plugin_post_with_broken_json_names_the_body(client, token) -> None:
    response = plugin_post(client, token, '{"event": "ringing", ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_plugin_url_without_the_trailing_slash_works_too(client, token) -> None:
    response = client.get(f"/ingest/3cx-webhook/{token}?{GET_ANSWERED[0]}")

    assert response.status_code == 202
