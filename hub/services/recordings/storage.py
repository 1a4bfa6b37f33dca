"""Recording audio in the "recordings" storage (settings.STORAGES): streamed in, never read whole.

    recording_store(recording, stream, content_type=…)   the audio in, state stored, webhooks let out
    recording_settle(recording, state, reason)           given up on (missing / failed), webhooks let out

A stream is anything with ``read(n)``: an open file, an HTTP response's raw body, an uploaded
file. It is read in 64 KiB pieces while its SHA-256, size and (for WAV) duration are taken, and
handed to the storage as a non-seekable file, so neither the filesystem storage nor S3's
multipart upload holds more than a piece (S3: a part) of it at a time.
"""
from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import wave
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from hub.models import Recording, RecordingState

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
_HEAD = 64 * 1024  # bytes kept to read a WAV header from
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class TooLarge(Exception):
    pass


def recordings_storage() -> Storage:
    return storages["recordings"]


def storage_is_s3(storage: Storage | None = None) -> bool:
    storage = storage or recordings_storage()
    return type(storage).__name__ == "S3Storage"


class HashingReader(io.RawIOBase):
    """A non-seekable reader over ``source`` that hashes and counts what passes through it and
    refuses to pass more than ``limit`` bytes."""

    def __init__(self, source, *, limit: int | None = None):
        super().__init__()
        self.source, self.limit = source, limit
        self.sha256, self.size, self.head = hashlib.sha256(), 0, bytearray()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        data = self.source.read(min(len(buffer), CHUNK))
        if not data:
            return 0
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise TooLarge(f"larger than {self.limit} bytes")
        self.sha256.update(data)
        if len(self.head) < _HEAD:
            self.head += data[:_HEAD - len(self.head)]
        buffer[:len(data)] = data
        return len(data)


def wav_duration(head: bytes) -> float | None:
    """A WAV file's length in seconds from its first bytes (the header states the data size)."""
    if not head.startswith(b"RIFF"):
        return None
    try:
        with wave.open(io.BytesIO(bytes(head))) as w:
            rate = w.getframerate()
            return round(w.getnframes() / rate, 3) if rate else None
    except (wave.Error, EOFError, ValueError):
        return None


def storage_key(recording: Recording) -> str:
    """account/pbx/yyyy/mm/<id>-<name>: unique per recording, readable in a bucket listing."""
    call = recording.call
    at = recording.recorded_at
    name = _UNSAFE.sub("_", recording.original_name)[-120:] or "audio"
    return f"{call.account_id}/{call.pbx_id}/{at:%Y}/{at:%m}/{recording.pk}-{name}"


def content_type_of(name: str, given: str = "") -> str:
    given = (given or "").split(";")[0].strip().lower()
    if given and given not in ("application/octet-stream", "binary/octet-stream"):
        return given
    guessed = mimetypes.guess_type(name)[0] or ""
    return {"audio/x-wav": "audio/wav", "audio/wave": "audio/wav"}.get(guessed, guessed) or "application/octet-stream"


def audio_save(recording: Recording, stream, *, content_type: str = "", limit: int | None = None) -> dict:
    """Stream ``stream`` into the storage under the recording's key; returns the fields to set.
    Nothing is left behind in the storage when reading or writing fails."""
    storage = recordings_storage()
    reader = HashingReader(stream, limit=limit)
    key = storage_key(recording)
    try:
        name = storage.save(key, File(reader, name=key))
    except BaseException:
        try:
            if storage.exists(key):
                storage.delete(key)
        except Exception:  # the first error is the one worth raising
            logger.warning("could not remove a partly stored recording %s", key, exc_info=True)
        raise
    duration = wav_duration(reader.head)
    return {"storage_key": name, "size": reader.size, "checksum": reader.sha256.hexdigest(),
            "content_type": content_type_of(recording.original_name, content_type),
            "duration": duration if duration is not None else recording.duration}


def recording_store(recording: Recording, stream, *, content_type: str = "", limit: int | None = None,
                    now: datetime | None = None) -> Recording:
    """Store the audio and mark the recording stored; its webhooks go out on commit of this
    transaction (hub.services.recordings.release). A recording already stored is stored again
    (a re-upload); the earlier object is replaced."""
    from hub.services.recordings.release import recordings_release

    fields = audio_save(recording, stream, content_type=content_type, limit=limit)
    old_key = recording.storage_key
    with transaction.atomic():
        locked = Recording.objects.select_for_update().select_related("call").get(pk=recording.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.state, locked.state_reason = RecordingState.STORED, ""
        locked.stored_at = now or timezone.now()
        locked.purged_at = None
        locked.save(update_fields=[*fields, "state", "state_reason", "stored_at", "purged_at"])
        recordings_release([locked])
    if old_key and old_key != locked.storage_key:
        _delete_quietly(old_key)
    return locked


def recording_settle(recording: Recording, state: str, reason: str) -> bool:
    """Give up on a still-announced recording (missing or failed, with why); its webhooks go
    out without a link. False if it was no longer announced."""
    from hub.services.recordings.release import recordings_release

    with transaction.atomic():
        locked = Recording.objects.select_for_update().select_related("call").filter(
            pk=recording.pk, state=RecordingState.ANNOUNCED).first()
        if locked is None:
            return False
        locked.state, locked.state_reason = state, reason[:300]
        locked.save(update_fields=["state", "state_reason"])
        recordings_release([locked])
    return True


def _delete_quietly(key: str) -> None:
    try:
        recordings_storage().delete(key)
    except Exception:
        logger.warning("could not delete recording object %s", key, exc_info=True)


def audio_delete(recording: Recording) -> None:
    if recording.storage_key:
        recordings_storage().delete(recording.storage_key)


def audio_open_range(recording: Recording, start: int, end: int):
    """An iterator over bytes start..end (inclusive) of the stored audio, read piece by piece."""
    storage = recordings_storage()
    if storage_is_s3(storage):
        obj = storage.bucket.Object(storage._normalize_name(recording.storage_key))
        body = obj.get(Range=f"bytes={start}-{end}")["Body"]
        return _iter_close(body.iter_chunks(CHUNK), body)
    handle = storage.open(recording.storage_key, "rb")
    handle.seek(start)
    return _iter_file(handle, end - start + 1)


def _iter_file(handle, remaining: int):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _iter_close(chunks, body):
    try:
        yield from chunks
    finally:
        body.close()


def recordings_limit() -> int:
    return settings.RECORDING_MAX_BYTES
