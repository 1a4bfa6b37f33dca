"""The click-to-call endpoints with real API keys, the whitelist and the cloud PBX's envelope."""
import json

import pytest
from django.test import Client

from hub.models import ClickToCall
from hub.services.click_to_call import PLACE_TASK
from tests.click_to_call.helpers import key_for, pbx_with_users

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.click_to_call.urls")]
C2C, V1 = "/api/integration/v2/call-to-number", "/api/v1/calls"


@pytest.fixture
def acme():
    account, pbx = pbx_with_users("acme", "101", "102")
    return account, pbx, key_for(account)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def post_json(client, path, key, body, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_TOKEN=key, **extra)


def test_call_to_number_form_encoded_answers_202_with_id_and_status_url(
        client, acme, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(C2C, {"user_number": "101", "number_to_call": "+61355501234"}, HTTP_TOKEN=acme[2])
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["code"], body["message"]) == ("success", 202, "Call queued")
    data = body["data"]
    assert (data["status"], data["user_number"], data["number_to_call"], data["pbx"]) == (
        "queued", "101", "+61355501234", "acme-pbx")
    assert data["status_url"] == f"http://testserver/api/v1/calls/originate/{data['id']}"
    assert response["Location"] == data["status_url"]
    assert enqueued == [(PLACE_TASK, data["id"])]
    assert ClickToCall.objects.get().api_key.name == "crm"


@pytest.mark.parametrize("header", ["HTTP_TOKEN", "HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_v1_calls_post_json_with_every_key_header(client, acme, enqueued, header):
    key = f"Bearer {acme[2]}" if header == "HTTP_AUTHORIZATION" else acme[2]
    response = client.post(V1, json.dumps({"user_number": "102", "number_to_call": "+61412345678",
                                           "caller_id": "+61390000000"}),
                           content_type="application/json", **{header: key})
    assert response.status_code == 202, response.content
    assert response.json()["data"]["caller_id"] == "+61390000000"


def test_v1_calls_get_is_still_the_call_list(client, acme):
    response = client.get(V1, HTTP_TOKEN=acme[2])
    assert response.status_code == 200 and response.json()["status"] == "success"


@pytest.mark.parametrize("body, message", [
    ({"number_to_call": "+61355501234"}, "user_number: This field is required."),
    ({"user_number": "101"}, "number_to_call: This field is required."),
    ({"user_number": "101", "number_to_call": "0355501234"}, "number_to_call: expected an E.164 number"),
    ({"user_number": "101", "number_to_call": "+6112"}, "number_to_call: +6112 is not a valid phone number"),
    ({"user_number": "101", "number_to_call": "+61355501234", "caller_id": "x" * 65}, "caller_id: "),
    ({"user_number": "1\x0001", "number_to_call": "+61355501234"}, "user_number: must not contain a NUL"),
    ({"user_number": ["101"], "number_to_call": {"a": 1}}, "user_number: Not a valid string."),
    ([1, 2], "body: expected a JSON object"),
])
@pytest.mark.parametrize("path", [C2C, V1])
def test_bad_input_is_400_naming_the_parameter(client, acme, path, body, message):
    response = post_json(client, path, acme[2], body)
    assert response.status_code == 400, response.content
    reply = response.json()
    assert (reply["status"], reply["code"], reply["data"]) == ("error", 400, [])
    assert reply["message"].startswith(message)


def test_malformed_json_is_400(client, acme):
    response = client.post(V1, "{nope", content_type="application/json", HTTP_TOKEN=acme[2])
    assert response.status_code == 400 and response.json()["status"] == "error"


def test_unknown_user_is_404_in_the_envelope(client, acme):
    response = client.post(C2C, {"user_number": "999", "number_to_call": "+61355501234"}, HTTP_TOKEN=acme[2])
    assert response.status_code == 404
    assert response.json() == {"status": "error", "code": 404, "data": [],
                               "message": "user_number: no user 999 on this account's PBX"}


def test_a_user_of_another_account_is_unknown(client, acme):
    pbx_with_users("globex", "555")
    response = client.post(C2C, {"user_number": "555", "number_to_call": "+61355501234"}, HTTP_TOKEN=acme[2])
    assert response.status_code == 404


def test_key_without_place_scope_is_403(client, acme):
    key = key_for(acme[0], scopes=["calls:read"])
    response = client.post(C2C, {"user_number": "101", "number_to_call": "+61355501234"}, HTTP_TOKEN=key)
    assert response.status_code == 403 and "calls:place" in response.json()["message"]


def test_no_key_is_401_and_a_foreign_address_is_told_it_is_not_whitelisted(client, acme):
    body = {"user_number": "101", "number_to_call": "+61355501234"}
    assert client.post(C2C, body).status_code == 401
    response = client.post(C2C, body, HTTP_TOKEN=acme[2], REMOTE_ADDR="127.0.0.2")
    assert response.status_code == 401 and "not whitelisted" in response.json()["message"]
    assert not ClickToCall.objects.exists()


def test_status_is_readable_by_its_account_only(client, acme, enqueued):
    click_id = post_json(client, V1, acme[2], {"user_number": "101", "number_to_call": "+61355501234"}
                         ).json()["data"]["id"]
    response = client.get(f"/api/v1/calls/originate/{click_id}", HTTP_TOKEN=acme[2])
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["status"], data["reason"], data["pbx_reference"], data["unique_call_id"]) == (
        click_id, "queued", "", None, None)
    assert data["created_at"] and data["updated_at"]

    globex, _ = pbx_with_users("globex", "101")
    other_key = key_for(globex)
    response = client.get(f"/api/v1/calls/originate/{click_id}", HTTP_TOKEN=other_key)
    assert response.status_code == 404 and response.json()["status"] == "error"


@pytest.mark.parametrize("click_id", ["abc", "99999", "1" * 30, "-1"])
def test_unknown_status_ids_are_404(client, acme, click_id):
    response = client.get(f"/api/v1/calls/originate/{click_id}", HTTP_TOKEN=acme[2])
    assert response.status_code == 404 and response.json()["status"] == "error"


def test_schema_documents_the_click_to_call_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "post" in schema["paths"]["/api/integration/v2/call-to-number"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/calls"])
    assert "get" in schema["paths"]["/api/v1/calls/originate/{click_id}"]
