"""A recording's webhooks (recording_inbound / recording_outbound / voicemail) go out when its
audio is stored, so the link works the moment the receiver gets it; or, when the hub gives up on
the audio (missing after RECORDING_WAIT_SECONDS, a failed fetch), without a link and with
``recording_state`` saying why.

The catalogue event itself is derived and stored as every other one (same key, same time, same
watermark rules: docs/ingest.md); only its deliveries wait. Two paths meet here, and the
recording's row lock orders them: deliveries_create holds back a media event whose recording is
still announced, and the recording's settling (stored, missing, failed) lets out the events
already stored for it. ``released_at`` says it was let out.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.utils import timezone

from hub.models import CatalogueEvent, Delivery, Recording, RecordingKind, RecordingState

MEDIA_TRIGGERS = frozenset({"recording_inbound", "recording_outbound", "voicemail"})


class MediaEvent(NamedTuple):
    """A catalogue event as deliveries_create reads it, its payload carrying the link."""

    pk: int
    account_id: int
    pbx_id: int
    call_id: int | None
    key: str
    trigger: str
    sequence: int
    payload: dict[str, Any]


def recording_state_text(recording: Recording) -> str:
    if recording.state in (RecordingState.STORED, RecordingState.PURGED, RecordingState.ANNOUNCED):
        return recording.state
    return f"{recording.state}: {recording.state_reason}" if recording.state_reason else recording.state


def media_payload(trigger: str, payload: dict, recording: Recording) -> dict:
    from hub.services.recordings.links import recording_link

    link = recording_link(recording)
    out = dict(payload) | {"recording_state": recording_state_text(recording)}
    if trigger == "voicemail":
        out["audio_file"] = [link] if link else []
    else:
        out["call_recording_link"] = link
    return out


def _recording_of(event, recordings: dict[tuple, Recording]) -> Recording | None:
    if event.trigger == "voicemail":
        return recordings.get((event.call_id, RecordingKind.VOICEMAIL, None))
    return recordings.get((event.call_id, RecordingKind.CALL_RECORDING, event.payload.get("call_recording_link")))


def _index(recordings: Iterable[Recording]) -> dict[tuple, Recording]:
    out = {}
    for r in recordings:
        out[(r.call_id, r.kind, None if r.kind == RecordingKind.VOICEMAIL else r.file)] = r
    return out


def media_hold(events: list) -> list:
    """deliveries_create's filter: every event, less the media events whose recording is still
    announced; the others carry their link (or why there is none). In the caller's transaction."""
    calls = {e.call_id for e in events if e.trigger in MEDIA_TRIGGERS and e.call_id is not None}
    if not calls:
        return events
    recordings = _index(Recording.objects.select_for_update().filter(call_id__in=calls))
    out, released = [], []
    for event in events:
        recording = _recording_of(event, recordings) if event.trigger in MEDIA_TRIGGERS else None
        if recording is None:  # not a media event, or one of no known recording: as derived
            out.append(event)
            continue
        if recording.state == RecordingState.ANNOUNCED:
            continue  # let out when the audio is stored or given up on
        out.append(MediaEvent(event.pk, event.account_id, event.pbx_id, event.call_id, event.key, event.trigger,
                              event.sequence, media_payload(event.trigger, event.payload, recording)))
        released.append(recording.pk)
    if released:
        Recording.objects.filter(pk__in=released, released_at__isnull=True).update(released_at=timezone.now())
    return out


def recordings_release(recordings: Iterable[Recording]) -> int:
    """Let out the stored catalogue events of these (locked, just settled) recordings that have
    not gone out yet; an event not derived yet goes out through deliveries_create when it is."""
    from hub.services.delivery import deliveries_create

    pending = [r for r in recordings if r.released_at is None and r.state != RecordingState.ANNOUNCED]
    if not pending:
        return 0
    index = _index(pending)
    rows = CatalogueEvent.objects.filter(call_id__in={r.call_id for r in pending},
                                         trigger__in=MEDIA_TRIGGERS).values_list(
        "pk", "account_id", "pbx_id", "call_id", "key", "trigger", "sequence", "payload")
    events = [MediaEvent(*row) for row in rows]
    events = [e for e in events if _recording_of(e, index) is not None]
    # An event that has deliveries went out already (before the hub kept audio, or resent).
    sent = set(Delivery.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", flat=True))
    events = [e for e in events if e.pk not in sent]
    return deliveries_create(events=events) if events else 0
