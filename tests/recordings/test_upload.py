"""A native push's PBX uploads the audio (multipart) for the recording its events name; the
held recording_inbound then goes out with the hub's link."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.models import CatalogueEvent, Delivery, PbxKind, Recording, RecordingState
from hub.services.delivery import deliveries_create, webhook_endpoint_create
from hub.services.recordings.collect import FolderWatch, recordings_pickup
from tests.factories import make_account
from tests.recordings.conftest import wav_bytes
from tests.recordings.helpers import make_recording, sha256

NAME = "20250301080202_906_104.wav"


@pytest.mark.django_db
def test_an_uploaded_recording_is_stored_and_lets_its_webhook_out(recordings_backend, client):
    account, pbx, token = make_account(timezone="+11:00")
    pbx.kind = PbxKind.GENERIC
    pbx.save(update_fields=["kind"])
    endpoint, _ = webhook_endpoint_create(account=account, actor="test", url="https://hooks.example.com/h",
                                          dialect="json", triggers=["recording_inbound"])
    recording = make_recording(pbx, file=NAME)
    event = CatalogueEvent.objects.create(
        account=account, pbx=pbx, call=recording.call, key="k1", trigger="recording_inbound", sequence=1,
        occurred_at=timezone.now(),
        payload=dict(CATALOGUE["recording_inbound"].sample) | {"call_recording_link": NAME, "recording_state": "announced"})
    assert deliveries_create(events=[event]) == 0  # held: no audio yet
    assert recordings_pickup(watch=FolderWatch()) == 0  # no folder, but the PBX may upload: it waits

    audio = wav_bytes(1.0)
    response = client.post(f"/ingest/recordings/{token}/", {
        "unique_call_id": recording.call.unique_call_id, "file": SimpleUploadedFile(NAME, audio, "audio/wav")})
    assert response.status_code == 201, response.content
    assert response.json()["checksum"] == sha256(audio)
    recording.refresh_from_db()
    assert (recording.state, recording.size) == (RecordingState.STORED, len(audio))
    [delivery] = Delivery.objects.filter(endpoint=endpoint)
    body = json.loads(bytes(delivery.body))
    assert body["recording_state"] == "stored" and body["call_recording_link"]


@pytest.mark.django_db
def test_an_upload_needs_a_known_token_call_and_file(recordings_backend, client):
    account, pbx, token = make_account(timezone="+11:00")
    recording = make_recording(pbx, file=NAME)
    audio = SimpleUploadedFile(NAME, b"RIFF", "audio/wav")
    assert client.post("/ingest/recordings/nope/", {"unique_call_id": recording.call.unique_call_id,
                                                    "file": audio}).status_code == 404
    assert client.post(f"/ingest/recordings/{token}/", {"unique_call_id": "x_1", "file": audio}).status_code == 404
    assert client.post(f"/ingest/recordings/{token}/",
                       {"unique_call_id": recording.call.unique_call_id}).status_code == 400
    assert Recording.objects.get(pk=recording.pk).state == RecordingState.ANNOUNCED
