"""Seed 004 (the cloud PBX's Integration/API page): its parameters and envelopes, as a client
written from the page sends and reads them, against calls the hub assembled from the 3CX
Webhook plugin's seed flows."""
from __future__ import annotations

import pytest
from django.test import Client

from hub.models import CallControl, PbxUser
from tests.api.test_plugin_seed_flows import push_flow

USER_ROW = ["unique_call_id", "type", "caller_id", "caller_name", "dest_number", "user_name", "user_number",
            "call_start_at", "connected_at", "call_duration", "conversation_duration"]
ENVELOPE = ["status", "message", "code", "data"]


@pytest.fixture
def calls(client, token):
    push_flow(client, token, "get_incoming_answered_via_queue")  # 102 answers through queue 804
    push_flow(client, token, "get_outgoing_unanswered")  # 102 dials out, nobody answers


def get(client, api_key, path, **params):
    return client.get(f"/api/integration/v2/{path}", params, HTTP_TOKEN=api_key)


def test_get_user_calls_takes_every_parameter_of_the_page_and_answers_in_its_envelope(client, api_key, calls):
    reply = get(client, api_key, "get-user-calls", user_numbers="102", sort_by="oldest_first", from_date="2023-01-01",
                to_date="2023-01-31", offset=0, limit=30)
    assert reply.status_code == 200
    body = reply.json()
    assert list(body) == ENVELOPE and (body["status"], body["code"]) == ("success", 200)
    assert [list(row) for row in body["data"]] == [USER_ROW, USER_ROW]
    assert [(r["unique_call_id"], r["type"]) for r in body["data"]] == [
        ("230102104542_15", "user_inbound_answered"), ("230102184431_17", "user_outbound_unanswered")]
    newest = get(client, api_key, "get-user-calls", user_numbers="102", sort_by="newest_first", limit=1).json()["data"]
    assert [r["unique_call_id"] for r in newest] == ["230102184431_17"]
    one = get(client, api_key, "get-user-calls", unique_call_id="230102104542_15").json()["data"]
    assert [(r["user_number"], r["call_duration"], r["conversation_duration"]) for r in one] == [("102", 7, 7)]


def test_an_unknown_parameter_is_a_400_naming_it_and_the_accepted_ones(client, api_key, calls):
    reply = client.get("/api/integration/v2/get-user-calls?users[]=102", HTTP_TOKEN=api_key)
    assert reply.status_code == 400
    body = reply.json()
    assert list(body) == ENVELOPE and body["code"] == 400
    assert "users[]" in str(body) and "user_numbers" in str(body)  # what is wrong, and what would do
    assert get(client, api_key, "get-queue-calls", queue="804").status_code == 400


@pytest.mark.parametrize("path", ["get-user-calls", "get-queue-calls", "get-ringgroup-calls"])
def test_a_trailing_slash_gets_the_same_json(client, api_key, calls, path):
    plain = get(client, api_key, path)
    slashed = client.get(f"/api/integration/v2/{path}/", HTTP_TOKEN=api_key)
    assert (slashed.status_code, slashed["Content-Type"]) == (200, "application/json")
    assert slashed.json() == plain.json()


def test_any_other_path_under_api_is_a_json_404_envelope(client, api_key):
    reply = client.get("/api/integration/v2/get-everything/", HTTP_TOKEN=api_key)
    assert reply.status_code == 404
    assert reply.json() == {"status": "error", "message": "Not found", "code": 404, "data": []}


def test_queue_and_ring_group_rows_speak_one_vocabulary(client, api_key, token):
    push_flow(client, token, "get_incoming_answered_via_queue")
    push_flow(client, token, "get_incoming_missed_in_queue")
    rows = get(client, api_key, "get-queue-calls", queues_names="804", sort_by="oldest_first").json()["data"]
    assert [(r["status"], r["outcome"]) for r in rows] == [("answered", "Serviced"), ("abandoned", "Abandoned")]
    assert all(r["type"] == "queue_call" and r["queue_number"] == "804" for r in rows)


def test_a_caller_from_an_address_not_whitelisted_gets_401(api_key, calls):
    reply = Client(REMOTE_ADDR="203.0.113.9").get("/api/integration/v2/get-user-calls", HTTP_TOKEN=api_key)
    assert reply.status_code == 401


@pytest.mark.parametrize("number", ["+61354060752", "61354060752", "0354060752", "0011 61 3 5406 0752"])
def test_call_to_number_reads_a_number_as_the_pbxs_users_dial_it(client, api_key, pbx, number):
    pbx.default_region = "AU"
    pbx.save()
    CallControl.objects.create(pbx=pbx, simulator_dir="/nonexistent")  # the demo driver: nothing is dialled
    PbxUser.objects.create(pbx=pbx, number="101", name="Reception")
    reply = client.post("/api/integration/v2/call-to-number", {"user_number": "101", "number_to_call": number},
                        HTTP_TOKEN=api_key)
    assert reply.status_code == 202, reply.json()
    assert list(reply.json()) == ENVELOPE
    slashed = client.post("/api/integration/v2/call-to-number/", {"user_number": "101", "number_to_call": number},
                          HTTP_TOKEN=api_key)
    assert slashed.status_code == 202
