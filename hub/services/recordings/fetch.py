"""Fetch a recording link (plugin FILES, a native push naming a URL) into the storage.

Through the webhooks' outbound guard: the host is resolved once and only an address the guard
allows is connected to (no private, loopback or link-local address unless
WEBHOOK_ALLOW_PRIVATE_NETWORKS says so), redirects are followed (3 at most) with the same check
at each hop, the body is streamed into the storage and refused past RECORDING_MAX_BYTES, the
whole fetch past RECORDING_FETCH_TIMEOUT_SECONDS. TLS is verified unless the PBX says its
certificate is self-signed (``Pbx.recordings_tls_self_signed``).
"""
from __future__ import annotations

import logging
import time
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

from hub.models import Recording, RecordingState
from hub.services.recordings.storage import TooLarge, recording_settle, recording_store
from integrations.delivery.errors import TransportError
from integrations.delivery.ssrf import pin

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3


class FetchError(Exception):
    pass


class _Deadline:
    """A stream whose reads fail once the fetch has run out of time."""

    def __init__(self, response, deadline: float):
        self.response, self.deadline = response, deadline

    def read(self, n: int) -> bytes:
        if time.monotonic() > self.deadline:
            raise FetchError(f"took longer than {settings.RECORDING_FETCH_TIMEOUT_SECONDS} s")
        return self.response.read(n)


def _open(url: str, *, verify: bool, deadline: float):
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) link: {url[:200]!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            ip = pin(parts.hostname, port, settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS, min(remaining, 10))
        except TransportError as exc:
            raise FetchError(str(exc)) from None
        timeout = urllib3.Timeout(connect=min(remaining, 10), read=min(remaining, 30))
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                str(ip), port, timeout=timeout, retries=False, server_hostname=parts.hostname,
                assert_hostname=parts.hostname if verify else False,
                cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE", ca_certs=certifi.where() if verify else None)
        else:
            pool = urllib3.HTTPConnectionPool(str(ip), port, timeout=timeout, retries=False)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        try:
            response = pool.urlopen("GET", path, headers={"Host": host, "User-Agent": "pbx-webhook-hub"},
                                    redirect=False, preload_content=False, decode_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{exc.__class__.__name__}: {exc}") from None
        if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.release_conn()
            continue
        if response.status != 200:
            response.release_conn()
            raise FetchError(f"HTTP {response.status}")
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > settings.RECORDING_MAX_BYTES:
            response.release_conn()
            raise FetchError(f"larger than {settings.RECORDING_MAX_BYTES} bytes")
        return response
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def recording_fetch(recording_id: int) -> str:
    """Fetch an announced URL recording; stored, or failed with why. Returns the new state."""
    recording = Recording.objects.select_related("call__pbx").filter(pk=recording_id).first()
    if recording is None or recording.state != RecordingState.ANNOUNCED:
        return recording.state if recording else "gone"
    verify = not recording.call.pbx.recordings_tls_self_signed
    deadline = time.monotonic() + settings.RECORDING_FETCH_TIMEOUT_SECONDS
    try:
        response = _open(recording.file, verify=verify, deadline=deadline)
        try:
            recording_store(recording, _Deadline(response, deadline),
                            content_type=response.headers.get("Content-Type", ""), limit=settings.RECORDING_MAX_BYTES)
        finally:
            response.release_conn()
    except (FetchError, TooLarge) as exc:
        recording_settle(recording, RecordingState.FAILED, f"fetching the link failed: {exc}")
        return RecordingState.FAILED
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        recording_settle(recording, RecordingState.FAILED,
                         f"fetching the link failed: {exc.__class__.__name__}: {exc}")
        return RecordingState.FAILED
    return RecordingState.STORED
