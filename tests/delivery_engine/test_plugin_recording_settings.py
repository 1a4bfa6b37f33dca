"""The 3CX Webhook plugin's per-install settings, per endpoint: WEBHOOK_POST_URL (recording_url)
and RECORDING_FULL_INFO (recording_full_info), set over the API and used by real deliveries."""
import json

import pytest
from django.test import Client

from hub.models import WebhookEndpoint
from tests.delivery_engine.engine import emit, run_due

pytestmark = pytest.mark.django_db

FILE = "https://pbx.example.com/recordings/20250301091422_435_108.mp3"


@pytest.fixture
def api(api_key):
    return Client(HTTP_TOKEN=api_key, REMOTE_ADDR="127.0.0.1")


def _create(api, receiver, **fields):
    body = {"url": f"{receiver.url}/calls", "dialect": "3cx-plugin-get",
            "triggers": ["user_inbound", "recording_inbound"]} | fields
    response = api.post("/api/v1/webhooks", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def test_recordings_go_to_the_recording_url_as_files_only_when_full_info_is_off(api, receiver, pbx):
    data = _create(api, receiver, recording_url=f"{receiver.url}/records", recording_full_info=False)
    assert (data["recording_url"], data["recording_full_info"]) == (f"{receiver.url}/records", False)

    emit(pbx, "recording_inbound", call_recording_link=FILE)
    emit(pbx, "user_inbound")
    assert run_due() == ["delivered", "delivered"]

    by_path = {r.path.split("?")[0]: r for r in receiver.requests}
    assert set(by_path) == {"/records", "/calls"}
    assert (by_path["/records"].method, json.loads(by_path["/records"].body)) == ("POST", {"FILES": [FILE]})
    assert by_path["/calls"].method == "GET"  # the call's events still go to the endpoint's URL


def test_by_default_recordings_go_to_the_endpoint_url_with_the_calls_end(api, receiver, pbx):
    data = _create(api, receiver)
    assert (data["recording_url"], data["recording_full_info"]) == ("", True)

    emit(pbx, "recording_inbound", call_recording_link=FILE)
    assert run_due() == ["delivered"]

    [got] = receiver.requests
    body = json.loads(got.body)
    assert got.path == "/calls" and body["FILES"] == [FILE] and body["event"] == "incoming"


def test_the_settings_are_changed_with_patch_and_checked_like_the_url(api, receiver):
    data = _create(api, receiver)
    reply = api.patch(f"/api/v1/webhooks/{data['id']}", {"recording_full_info": False,
                                                          "recording_url": "https://crm.example.com/rec"},
                      content_type="application/json")
    assert reply.status_code == 200, reply.json()
    endpoint = WebhookEndpoint.objects.get(pk=data["id"])
    assert (endpoint.recording_url, endpoint.recording_full_info) == ("https://crm.example.com/rec", False)

    refused = api.patch(f"/api/v1/webhooks/{data['id']}", {"recording_url": "http://10.0.0.5/rec"},
                        content_type="application/json")
    assert refused.status_code == 400
    assert "recording_url" in json.dumps(refused.json())
    not_bool = api.patch(f"/api/v1/webhooks/{data['id']}", {"recording_full_info": 0},
                         content_type="application/json")
    assert not_bool.status_code == 400
