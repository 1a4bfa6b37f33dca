"""Signed, expiring links to a stored recording's audio.

On the filesystem storage a link is the hub's own URL with the expiry in it and an HMAC over
(recording id, expiry) keyed from SECRET_KEY:

    {HUB_PUBLIC_URL}/recordings/<id>/<expires, unix seconds>/<signature>/<original name>

served by hub.views.recordings with range requests. On S3 it is the store's presigned URL
(the same lifetime), so the audio never passes through the hub.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from django.conf import settings

from hub.models import Recording, RecordingState
from hub.services.recordings.storage import recordings_storage, storage_is_s3


def _signature(pk: int, expires: int) -> str:
    key = hashlib.sha256(f"hub-recording-link:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{pk}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def recording_link(recording: Recording, *, now: float | None = None, seconds: int | None = None) -> str:
    """A fresh link to the audio, or "" when the recording has none stored."""
    if recording.state != RecordingState.STORED or not recording.storage_key:
        return ""
    seconds = seconds or settings.RECORDING_LINK_SECONDS
    storage = recordings_storage()
    if storage_is_s3(storage):
        return storage.url(recording.storage_key, expire=seconds,
                           parameters={"ResponseContentType": recording.content_type or "application/octet-stream"})
    expires = int(now if now is not None else time.time()) + seconds
    name = quote(recording.original_name, safe="")
    return f"{settings.HUB_PUBLIC_URL}/recordings/{recording.pk}/{expires}/{_signature(recording.pk, expires)}/{name}"


def link_valid(pk: int, expires: int, signature: str, *, now: float | None = None) -> bool:
    """The signature is the hub's for (pk, expires) and the expiry has not passed."""
    if not hmac.compare_digest(_signature(pk, expires).encode(), signature.encode()):
        return False
    return (now if now is not None else time.time()) < expires
