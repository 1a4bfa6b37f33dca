"""The 3CX Webhook plugin's own request flows (seeds 001-003) pushed to the hub, checked for
what a CRM relies on: queue legs and the queue history, queue_call, missed calls that make
webhooks, transfers, recordings that find their own call, and PBX times.

The flows (tests/fixtures/threecx_plugin/seed_flows.json) carry the seeds' own call ids, dated
2021-2023: pushed today they are replays, dated from the ids and titles (parser.request_moment).
The live tests build ids dated now, as a running PBX would.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from hub.models import Call, CallState, CatalogueEvent
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from integrations.delivery import EndpointConfig, render
from tests.api.push import plugin_get, plugin_post

FLOWS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "threecx_plugin" / "seed_flows.json")
                   .read_text(encoding="utf-8"))
PRAGUE = ZoneInfo("Europe/Prague")


def push_flow(client, token: str, name: str) -> None:
    flow = FLOWS[name]
    for query in flow.get("get", []):
        response = plugin_get(client, token, query)
        assert response.status_code == 202, response.content
    for body in flow.get("post", []):
        response = plugin_post(client, token, body)
        assert response.status_code == 202, response.content
    if "raw" in flow:
        response = plugin_post(client, token, flow["raw"]["body"], content_type=flow["raw"]["content_type"])
        assert response.status_code == 202, response.content


def call_of(unique_call_id: str) -> Call:
    return Call.objects.get(unique_call_id=unique_call_id)


def payloads(call: Call, trigger: str) -> list[dict]:
    return [e.payload for e in CatalogueEvent.objects.filter(call=call, trigger=trigger).order_by("sequence")]


@pytest.fixture
def api_key(pbx) -> str:
    cache.clear()  # throttle counters and the whitelist union live in the cache
    allowed_network_add(account=pbx.account, address="127.0.0.1")
    return api_key_create(account=pbx.account, name="crm")[1]


def test_a_queue_ringing_opens_a_queue_leg_its_agent_answers(client, token, api_key) -> None:
    push_flow(client, token, "get_incoming_answered_via_queue")

    call = call_of("230102104542_15")
    (queue,) = call.queue_legs.all()
    assert (queue.queue, queue.status, queue.agent) == ("804", "answered", "102")
    (leg,) = call.user_legs.all()
    assert (leg.user, leg.status, leg.via_queue) == ("102", "answered", "804")
    (summary,) = payloads(call, "queue_call")
    assert (summary["status"], summary["user_number"], summary["conversation_duration"]) == ("answered", "102", 7)

    rows = client.get("/api/integration/v2/get-queue-calls", {"queues_names": "804"}, HTTP_TOKEN=api_key).json()["data"]
    assert [(row["unique_call_id"], row["status"]) for row in rows] == [("230102104542_15", "answered")]


def test_a_call_missed_in_the_queue_is_the_queues_not_a_phone_named_804(client, token) -> None:
    push_flow(client, token, "get_incoming_missed_in_queue")

    call = call_of("230102154720_16")
    assert (call.state, call.connected_at) == (CallState.ENDED, None)
    assert [(q.queue, q.status, q.agent) for q in call.queue_legs.all()] == [("804", "abandoned", "")]
    assert [(u.user, u.status) for u in call.user_legs.all()] == [("102", "missed")]
    (summary,) = payloads(call, "queue_call")
    assert summary["status"] == "abandoned"


def test_a_call_missed_in_the_queue_goes_out_to_a_plugin_receiver_once_as_the_queues(client, token) -> None:
    push_flow(client, token, "get_incoming_missed_in_queue")

    endpoint = EndpointConfig(url="http://receiver.test/hook", dialect="3cx-plugin-get")
    events = CatalogueEvent.objects.filter(call=call_of("230102154720_16")).order_by("sequence")
    requests = [render(e.trigger, e.payload, endpoint) for e in events]
    sent = [parse_qsl(urlsplit(r.url).query) for r in requests if r is not None]
    # What the plugin sent the hub, field for field: the IVR and the queue ring too (call_routed).
    assert sent == [parse_qsl(query) for query in FLOWS["get_incoming_missed_in_queue"]["get"]]
    assert dict(sent[-1])["title"] == "DID-420222000320:Missed call by queue 804 from 420774852629"


def test_the_post_schemes_missed_call_makes_webhooks_for_the_phone_that_rang(client, token) -> None:
    push_flow(client, token, "post_incoming_missed")

    call = call_of("230115121143_9")
    assert [(u.user, u.status) for u in call.user_legs.all()] == [("102", "missed")]
    (done,) = payloads(call, "user_inbound_completed")
    assert (done["user_number"], done["connected_at"], done["conversation_duration"]) == ("102", None, 0)
    assert len(payloads(call, "user_inbound")) == 1


def test_an_end_heard_on_its_own_names_who_talked_and_for_how_long(client, token) -> None:
    push_flow(client, token, "seed003_end_then_recording")  # its FILES fragment comes as application/json

    call = call_of("220726170922_4")
    assert call.call_start_at == datetime(2022, 7, 26, 17, 9, 22, tzinfo=PRAGUE)
    assert [(u.user, u.status) for u in call.user_legs.all()] == [("102", "answered")]
    assert (call.conversation_duration, call.call_duration) == (204, 204)  # "(3:24)"
    assert [r.file for r in call.recordings.all()] == ["https://fqdn.my3cx.eu:5001/webapi/recording/220726170922_4-1-1.mp3"]
    (done,) = payloads(call, "user_inbound_completed")
    assert (done["user_number"], done["conversation_duration"]) == ("102", 204)
    assert len(payloads(call, "recording_inbound")) == 1


def test_a_recording_joins_the_call_its_id_names_never_another_of_the_same_number(client, token) -> None:
    push_flow(client, token, "post_outgoing_unanswered")  # call 230128195546_4
    push_flow(client, token, "seed003_end_then_recording")  # call 220726170922_4, the same number 4

    assert call_of("230128195546_4").recordings.count() == 0
    assert call_of("220726170922_4").recordings.count() == 1


def test_a_recording_of_a_call_the_hub_never_heard_of_is_kept_under_that_calls_id_and_date(client, token) -> None:
    push_flow(client, token, "seed001_recording_only")

    (call,) = Call.objects.all()
    assert call.unique_call_id == "211230102738_669"
    assert call.call_start_at == datetime(2021, 12, 30, 10, 27, 38, tzinfo=PRAGUE)
    assert [r.file for r in call.recordings.all()] == ["https://3CXFQDN:5001/webapi/recording/211230102738_669-1-1.mp3"]


def test_the_answer_through_a_blind_transfer_is_kept_on_the_call(client, token) -> None:
    push_flow(client, token, "seed001_ringing_then_blind_transfer")

    call = call_of("211230100614_665")
    legs = [(u.user, u.status, u.transfer) for u in call.user_legs.order_by("position")]
    assert ("106", "answered", "") in legs
    assert ("107", "answered", "Blind") in legs
    assert call.state == CallState.ENDED


def test_replayed_seed_requests_are_dated_by_the_pbx_not_by_their_arrival(client, token) -> None:
    push_flow(client, token, "get_incoming_answered_via_queue")

    call = call_of("230102104542_15")
    assert call.call_start_at == datetime(2023, 1, 2, 10, 45, 42, tzinfo=PRAGUE)
    assert call.ended_at - call.call_start_at < timedelta(minutes=1)  # was 124006836 s
    assert call.conversation_duration == 7


def _live_id(ago: timedelta, number: int, link: int) -> str:
    return f"{(datetime.now(PRAGUE) - ago):%y%m%d%H%M%S}_{number}-{link}"


def test_live_requests_are_dated_by_their_arrival_after_the_calls_start(client, token) -> None:
    ago = timedelta(seconds=40)
    ringing, answered = _live_id(ago, 77, 0), _live_id(ago, 77, 1)
    for query in (f"event=ringing&callerid=420774852629&user=804&usertype=queue&did=D&id={ringing}",
                  f"event=ringing&callerid=420774852629&user=102&usertype=ext&did=D&id={ringing}",
                  f"event=hangupincoming&callerid=420774852629&user=102&did=D&trtype=NotDef&id={answered}",
                  f"event=incoming&callerid=420774852629&user=102&finishtype=Ok&transfer=False&did=D"
                  f"&title=D:Answered call from 420774852629 (0:05)&id={answered}"):
        assert plugin_get(client, token, query).status_code == 202

    (call,) = Call.objects.all()
    # The requests came 40 s (and a little) after the call id's time, so that is the call's length.
    assert timedelta(seconds=40) <= call.ended_at - call.call_start_at < timedelta(hours=1)
    assert [(q.queue, q.agent) for q in call.queue_legs.all()] == [("804", "102")]
