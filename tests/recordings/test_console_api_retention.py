"""The REST API lists a call's recordings with a fresh link each read; the console plays them
and lets an admin delete one (audited); retention purges old audio and keeps the metadata."""
from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from hub.models import AuditEntry, Recording, RecordingState, Role, Scope
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.recordings.retention import recordings_purge
from hub.services.recordings.storage import recording_store, recordings_storage
from tests.factories import make_member
from tests.recordings.conftest import wav_bytes
from tests.recordings.helpers import make_recording, sha256


def _key(account) -> str:
    allowed_network_add(account=account, address="127.0.0.1")
    _, key = api_key_create(account=account, name="crm", scopes=[s.value for s in Scope])
    return key


@pytest.mark.django_db
def test_the_call_api_lists_recordings_and_voicemail_with_a_fresh_link_each_read(recordings_backend, account, pbx,
                                                                                client):
    audio = wav_bytes(1.0)
    stored = recording_store(make_recording(pbx), io.BytesIO(audio))
    make_recording(pbx, file="vmail_250301080202_906_104.wav", kind="voicemail")
    key = _key(account)
    url = f"/api/v1/calls/{stored.call.unique_call_id}"
    first = client.get(url, HTTP_TOKEN=key, REMOTE_ADDR="127.0.0.1").json()["data"]["recordings"]
    assert [(r["kind"], r["state"]) for r in first] == [("call_recording", "stored"), ("voicemail", "announced")]
    recording, voicemail = first
    assert recording["checksum"] == sha256(audio) and recording["size"] == len(audio) and recording["duration"] == 1.0
    assert recording["link"] and voicemail["link"] == ""
    if recordings_backend == "filesystem":
        response = client.get(urlsplit(recording["link"]).path)
        assert sha256(b"".join(response.streaming_content)) == sha256(audio)


@pytest.mark.django_db
def test_the_call_page_plays_each_recording_and_an_admin_deletes_one(recordings_backend, account, pbx, client):
    recording = recording_store(make_recording(pbx), io.BytesIO(wav_bytes(1.0)))
    make_recording(pbx, file="20250301080202_906_105.wav", user="105", state=RecordingState.MISSING,
                   state_reason="not in the recordings folder 600 s after it was announced")
    client.force_login(make_member(account, "vera@acme.test", Role.VIEWER))
    page = client.get(f"/calls/{recording.call.unique_call_id}/").content.decode()
    assert page.count("<audio") == 1 and "not in the recordings folder" in page
    assert "Delete audio" not in page  # a viewer only listens
    delete = f"/calls/{recording.call.unique_call_id}/recordings/{recording.pk}/delete"
    assert client.post(delete).status_code in (302, 403)
    assert Recording.objects.get(pk=recording.pk).state == RecordingState.STORED

    client.force_login(make_member(account, "adam@acme.test", Role.ADMIN))
    assert "Delete audio" in client.get(f"/calls/{recording.call.unique_call_id}/").content.decode()
    client.post(delete)
    recording.refresh_from_db()
    assert recording.state == RecordingState.PURGED and recording.checksum and recording.size
    assert not recordings_storage().exists(recording.storage_key)
    entry = AuditEntry.objects.get(action="recording.deleted")
    assert entry.actor == "adam@acme.test" and entry.object_id == str(recording.pk)


@pytest.mark.django_db
def test_retention_purges_audio_older_than_the_account_keeps_in_batches(recordings_backend, account, pbx):
    account.recording_retention_days = 30
    account.save()
    now = timezone.now()
    old = [recording_store(make_recording(pbx, file=f"old{i}.wav"), io.BytesIO(wav_bytes(0.5))) for i in range(3)]
    Recording.objects.filter(pk__in=[r.pk for r in old]).update(recorded_at=now - timedelta(days=31))
    young = recording_store(make_recording(pbx, file="young.wav"), io.BytesIO(wav_bytes(0.5)))
    assert recordings_purge(batch=2, now=now) == 2
    assert recordings_purge(batch=2, now=now) == 1
    assert recordings_purge(batch=2, now=now) == 0
    states = dict(Recording.objects.values_list("file", "state"))
    assert states == {"old0.wav": "purged", "old1.wav": "purged", "old2.wav": "purged", "young.wav": "stored"}
    for r in old:
        assert not recordings_storage().exists(r.storage_key)
    assert recordings_storage().exists(young.storage_key)


@pytest.mark.django_db(transaction=True)
def test_a_call_deleted_by_retention_takes_its_audio_with_it(recordings_backend, account, pbx):
    recording = recording_store(make_recording(pbx), io.BytesIO(wav_bytes(0.5)))
    assert recordings_storage().exists(recording.storage_key)
    recording.call.delete()
    assert not Recording.objects.filter(pk=recording.pk).exists()
    assert not recordings_storage().exists(recording.storage_key)
