from __future__ import annotations

import hashlib
import urllib.request

from django.utils import timezone

from hub.models import Call, Recording


def make_recording(pbx, *, file: str = "20250301080202_906_104.wav", user: str = "104", kind: str = "call_recording",
                   unique_call_id: str = "250301080202_906", **fields) -> Recording:
    now = timezone.now()
    call, _ = Call.objects.get_or_create(
        pbx=pbx, unique_call_id=unique_call_id,
        defaults={"account": pbx.account, "pbx_call_id": unique_call_id.split("_")[-1], "direction": "inbound",
                  "call_start_at": now, "last_event_at": now})
    return Recording.objects.create(call=call, user=user, file=file, recorded_at=now, kind=kind, **fields)


def download(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
