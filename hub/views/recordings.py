"""GET /recordings/<id>/<expires>/<signature>/<name>: a recording's audio by its signed link.

Served with range requests (``Accept-Ranges: bytes``, 206 for ``Range: bytes=a-b``) so audio
players can seek, streamed from the storage piece by piece. An expired, tampered or otherwise
unusable link is a bare 403 that says nothing of why (nor whether the recording exists).
"""
from __future__ import annotations

import re

from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_http_methods

from hub.models import Recording, RecordingState
from hub.services.recordings.links import link_valid
from hub.services.recordings.storage import audio_open_range

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _forbidden() -> HttpResponse:
    return HttpResponse("Forbidden\n", status=403, content_type="text/plain")


def _range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive; None: no usable range (send it all); False: unsatisfiable."""
    match = _RANGE.fullmatch(header.strip())
    if not match or (not match[1] and not match[2]):
        return None  # absent, malformed or several ranges: the whole file (RFC 9110 allows it)
    if not match[1]:  # the last N bytes
        length = int(match[2])
        return (max(size - length, 0), size - 1) if length and size else False
    start = int(match[1])
    end = min(int(match[2]), size - 1) if match[2] else size - 1
    if start >= size or end < start:
        return False
    return start, end


@require_http_methods(["GET", "HEAD"])
def recording_audio(request, pk: int, expires: int, signature: str, name: str = ""):
    if not link_valid(pk, expires, signature):
        return _forbidden()
    recording = Recording.objects.filter(pk=pk, state=RecordingState.STORED).first()
    if recording is None or not recording.storage_key or recording.size is None:
        return _forbidden()
    size = recording.size
    wanted = _range(request.headers.get("Range", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted or (0, size - 1)
    status = 206 if wanted else 200
    if request.method == "HEAD" or size == 0:
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(audio_open_range(recording, start, end), status=status)
    response["Content-Type"] = recording.content_type or "application/octet-stream"
    response["Content-Length"] = str(end - start + 1 if size else 0)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = f'inline; filename="{_ascii(recording.original_name)}"'
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _ascii(name: str) -> str:
    return re.sub(r'[^A-Za-z0-9._-]', "_", name) or "recording"


# --- upload with a native push -----------------------------------------------------------

from django.http import JsonResponse  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from hub.api.ingest.token import header_token  # noqa: E402
from hub.models import Call, RecordingKind, RecordingSource  # noqa: E402
from hub.models.calls import original_name  # noqa: E402
from hub.selectors.ingest import pbx_for_ingest_token  # noqa: E402
from hub.services.recordings.storage import TooLarge, recording_store, recordings_limit  # noqa: E402


def _error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"status": "error", "errors": [{"field": field, "message": message}]}, status=status)


@csrf_exempt
@require_http_methods(["POST"])
def recording_upload(request, token: str | None = None):
    """POST /ingest/recordings/<token>/ (or the token in Authorization: Bearer / X-Pbx-Token),
    multipart/form-data: ``file`` (the audio), ``unique_call_id`` (the call, as the hub names
    it), ``kind`` (call_recording, the default, or voicemail), ``user`` (optional). The audio
    becomes the recording the push's ``recording.saved`` names by the same file name (or the
    call's voicemail); sent first, it is kept for the event that names it. 201 with the
    recording's id, size and checksum."""
    pbx = pbx_for_ingest_token(token=token or header_token(request) or "")
    if pbx is None:
        return _error(404, "token", "unknown ingest token")
    upload = request.FILES.get("file")
    if upload is None:
        return _error(400, "file", "a multipart/form-data part named file is required")
    kind = request.POST.get("kind") or RecordingKind.CALL_RECORDING
    if kind not in RecordingKind.values:
        return _error(400, "kind", f"one of {', '.join(RecordingKind.values)}")
    call = Call.objects.filter(pbx=pbx, unique_call_id=request.POST.get("unique_call_id", "")).first()
    if call is None:
        return _error(404, "unique_call_id", "no such call on this PBX (push its events first)")
    name = original_name(upload.name or "recording")
    recording = (call.recordings.filter(kind=kind).first() if kind == RecordingKind.VOICEMAIL
                 else call.recordings.filter(kind=kind, file=name).first())
    if recording is None:
        recording = Recording.objects.create(
            call=call, kind=kind, file=name, user=request.POST.get("user", "")[:32], source=RecordingSource.UPLOAD,
            recorded_at=call.ended_at or call.last_event_at)
    try:
        recording = recording_store(recording, upload, content_type=upload.content_type or "",
                                    limit=recordings_limit())
    except TooLarge as exc:
        return _error(413, "file", str(exc))
    return JsonResponse({"status": "stored", "id": recording.pk, "size": recording.size,
                         "checksum": recording.checksum}, status=201)
