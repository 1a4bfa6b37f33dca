"""Plugin FILES links are fetched by the worker through the webhooks' outbound guard, and the
recording_inbound a receiver then gets carries the hub's own link to the same bytes."""
from __future__ import annotations

import json

import pytest

from hub.models import Delivery, Recording, RecordingState
from hub.services.delivery import webhook_endpoint_create
from hub.services.recordings.fetch import recording_fetch
from tests.delivery_engine.engine import run_due
from tests.delivery_engine.receiver import Receiver, Reply
from tests.factories import make_account
from tests.recordings.conftest import wav_bytes
from tests.recordings.helpers import download, sha256

PLUGIN = "/ingest/3cx-webhook/{token}/"
NAME = "220726170922_4-1-1.wav"  # the plugin's name says the call: 220726170922_4


@pytest.fixture
def pbx_server():
    """The PBX's web server, answering every GET with the recording."""
    server = Receiver().start()
    server.default = Reply(body=wav_bytes(2.0), headers={"Content-Type": "audio/wav"})
    yield server
    server.stop()


def _push_files(client, token, url):
    response = client.post(PLUGIN.format(token=token), data=json.dumps({"FILES": [url]}),
                           content_type="application/json")
    assert response.status_code == 202, response.content


@pytest.mark.django_db(transaction=True)
def test_a_plugin_link_is_fetched_and_its_webhook_carries_a_working_link(
        recordings_backend, pbx_server, receiver, live_server, settings, client):
    settings.HUB_PUBLIC_URL = live_server.url
    account, pbx, token = make_account(timezone="Europe/Prague")
    webhook_endpoint_create(account=account, actor="test", url=f"{receiver.url}/hook", dialect="json",
                            triggers=["recording_inbound", "recording_outbound"])
    _push_files(client, token, f"{pbx_server.url}/webapi/recording/{NAME}")
    recording = Recording.objects.get(call__pbx=pbx)
    assert (recording.source, recording.state) == ("url", "announced")
    run_due()
    assert receiver.requests == []  # the webhook waits for the audio

    assert recording_fetch(recording.pk) == RecordingState.STORED
    recording.refresh_from_db()
    assert recording.checksum == sha256(pbx_server.default.body) and recording.duration == 2.0
    assert pbx_server.requests[0].path == f"/webapi/recording/{NAME}"
    run_due()
    [body] = [json.loads(r.body) for r in receiver.requests]
    assert body["recording_state"] == "stored" and body["call_recording_link"].startswith(("http://", "https://"))
    status, _, data = download(body["call_recording_link"])
    assert status == 200 and sha256(data) == recording.checksum


@pytest.mark.django_db
def test_a_link_to_a_private_address_is_refused_unless_allowed_and_the_webhook_says_why(
        recordings_backend, pbx_server, settings, client):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = []
    account, pbx, token = make_account(timezone="Europe/Prague")
    endpoint, _ = webhook_endpoint_create(account=account, actor="test", url="https://hooks.example.com/hook",
                                          dialect="json", triggers=["recording_inbound", "recording_outbound"])
    _push_files(client, token, f"{pbx_server.url}/webapi/recording/{NAME}")
    recording = Recording.objects.get(call__pbx=pbx)
    assert recording_fetch(recording.pk) == RecordingState.FAILED
    recording.refresh_from_db()
    assert "loopback" in recording.state_reason and pbx_server.requests == []
    [delivery] = Delivery.objects.filter(endpoint=endpoint)
    body = json.loads(bytes(delivery.body))
    assert body["call_recording_link"] == "" and body["recording_state"].startswith("failed: fetching the link failed")


@pytest.mark.django_db
def test_a_link_larger_than_allowed_is_refused_and_nothing_is_kept(recordings_backend, pbx_server, settings, client):
    settings.RECORDING_MAX_BYTES = 1000
    account, pbx, token = make_account(timezone="Europe/Prague")
    _push_files(client, token, f"{pbx_server.url}/webapi/recording/{NAME}")
    recording = Recording.objects.get(call__pbx=pbx)
    assert recording_fetch(recording.pk) == RecordingState.FAILED
    recording.refresh_from_db()
    assert "larger than 1000 bytes" in recording.state_reason and not recording.storage_key
