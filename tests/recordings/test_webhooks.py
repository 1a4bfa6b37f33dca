"""recording_* webhooks wait for the audio: a real receiver on 127.0.0.1 gets
recording_inbound once the file is picked up from the PBX's recordings folder, downloads the
link and finds the same bytes; the recordings whose audio never came go out after the wait with
no link and recording_state saying why."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.models import Delivery, Recording, RecordingState
from hub.services.delivery import webhook_endpoint_create
from hub.services.ingest import events_ingest
from hub.services.recordings.collect import NO_FOLDER, FolderWatch, recordings_pickup
from tests.delivery_engine.engine import run_due
from tests.factories import make_account
from tests.ingest.samples import sample_events
from tests.recordings.conftest import wav_bytes
from tests.recordings.helpers import download, sha256

NAME = "20250301080202_906_104.wav"  # one of the sample's "Recording saved" lines


def _bodies(receiver) -> list[dict]:
    return [json.loads(r.body) for r in receiver.requests]


@pytest.mark.django_db(transaction=True)
def test_the_receiver_gets_recording_inbound_when_the_audio_is_stored_and_its_link_downloads_it(
        recordings_backend, receiver, live_server, settings, tmp_path):
    settings.HUB_PUBLIC_URL = live_server.url
    settings.RECORDING_STABLE_SECONDS = 0
    account, pbx, _ = make_account(timezone="+11:00")
    folder = tmp_path / "Recordings"
    (folder / "104").mkdir(parents=True)
    audio = wav_bytes(1.5)
    (folder / "104" / NAME).write_bytes(audio)
    pbx.recordings_path = str(folder)
    pbx.save(update_fields=["recordings_path"])
    endpoint, _ = webhook_endpoint_create(account=account, actor="test", url=f"{receiver.url}/hook", dialect="json",
                                          triggers=["recording_inbound", "recording_outbound"])

    result = events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    announced = [e for e in result.catalogue_events if e.trigger.startswith("recording_")]
    assert len(announced) == Recording.objects.filter(call__pbx=pbx, kind="call_recording").count() > 1
    voicemails = Recording.objects.filter(call__pbx=pbx, kind="voicemail").count()
    assert not Delivery.objects.filter(endpoint=endpoint).exists()  # held until the audio is in

    assert recordings_pickup(watch=FolderWatch()) == 1
    run_due()
    [body] = _bodies(receiver)
    assert body["type"] == "recording_inbound" and body["recording_state"] == "stored"
    status, headers, data = download(body["call_recording_link"])
    assert status == 200 and sha256(data) == sha256(audio)
    stored = Recording.objects.get(state=RecordingState.STORED)
    assert stored.checksum == sha256(audio) and stored.file == NAME

    # The others never appear in the folder: after the wait they go out without a link.
    Recording.objects.filter(state=RecordingState.ANNOUNCED).update(
        announced_at=timezone.now() - timedelta(seconds=settings.RECORDING_WAIT_SECONDS + 1))
    assert recordings_pickup(watch=FolderWatch()) == len(announced) - 1 + voicemails
    run_due()
    bodies = _bodies(receiver)
    assert len(bodies) == len(announced)
    assert sorted(b["unique_call_id"] for b in bodies) == sorted(e.payload["unique_call_id"] for e in announced)
    late = [b for b in bodies[1:]]
    assert {b["call_recording_link"] for b in late} == {""}
    assert all(b["recording_state"].startswith("missing: not in the recordings folder") for b in late)
    # Each fact went out once: the same webhook-ids an unheld delivery would have had.
    assert Delivery.objects.filter(endpoint=endpoint).count() == len(announced)


@pytest.mark.django_db
def test_a_pbx_without_a_recordings_folder_sends_its_recording_webhooks_at_once_saying_why(settings):
    account, pbx, _ = make_account(timezone="+11:00")
    endpoint, _ = webhook_endpoint_create(account=account, actor="test", url="http://127.0.0.1:9/hook",
                                          dialect="json", triggers=["recording_inbound", "recording_outbound"])
    events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    assert recordings_pickup(watch=FolderWatch()) == Recording.objects.filter(call__pbx=pbx).count()
    recordings = Recording.objects.filter(call__pbx=pbx, kind="call_recording").count()
    bodies = [json.loads(bytes(d.body)) for d in Delivery.objects.filter(endpoint=endpoint)]
    assert len(bodies) == recordings
    assert {(b["call_recording_link"], b["recording_state"]) for b in bodies} == {("", f"missing: {NO_FOLDER}")}
