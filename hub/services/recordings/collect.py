"""Getting the audio in, per source (docs/recordings.md):

- folder: the file the logs or CDR named, in the PBX's recordings folder (3CX v20:
  ``Data/Recordings/<extension>/<name>``), taken by the ingest process once its size has not
  changed for RECORDING_STABLE_SECONDS; missing after RECORDING_WAIT_SECONDS;
- url: a link the PBX gave (plugin FILES, a native push), fetched by a Celery task through the
  webhooks' outbound guard (recording_fetch);
- upload: sent with a native push (stored as the push is taken).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from hub.models import PbxKind, Recording, RecordingSource, RecordingState
from hub.services.recordings.storage import recording_settle, recording_store

logger = logging.getLogger(__name__)

NO_FOLDER = "no recordings folder is set for this PBX"


def folder_candidates(recording: Recording, folder: str) -> list[Path]:
    base, name = Path(folder), recording.original_name
    paths = [base / recording.user / name] if recording.user else []
    return [*paths, base / name]


@dataclass
class FolderWatch:
    """What the ingest process saw of each awaited file: (size, mtime) and since when (monotonic)."""

    seen: dict[int, tuple[tuple[int, float], float]] = field(default_factory=dict)

    def stable(self, pk: int, size: int, mtime: float, *, now: float, wall: float) -> bool:
        stable_for = settings.RECORDING_STABLE_SECONDS
        if wall - mtime >= stable_for:  # not written to for that long already
            self.seen.pop(pk, None)
            return True
        state = (size, mtime)
        before = self.seen.get(pk)
        if before is None or before[0] != state:
            self.seen[pk] = (state, now)
            return stable_for == 0
        return now - before[1] >= stable_for


def recordings_pickup(*, watch: FolderWatch, limit: int = 2000) -> int:
    """Store the awaited folder files that are complete; give up on those past the wait.
    Returns how many recordings changed state."""
    now = timezone.now()
    wait = timedelta(seconds=settings.RECORDING_WAIT_SECONDS)
    done = 0
    awaited = (Recording.objects.filter(state=RecordingState.ANNOUNCED, source=RecordingSource.FOLDER)
               .select_related("call__pbx").order_by("announced_at", "id")[:limit])
    for recording in awaited:
        folder = recording.call.pbx.recordings_path
        if not folder and recording.call.pbx.kind == PbxKind.THREECX:
            done += recording_settle(recording, RecordingState.MISSING, NO_FOLDER)
            continue
        if not folder:  # a native push's PBX may upload it (POST /ingest/recordings/): the wait
            if now - recording.announced_at >= wait:
                done += recording_settle(recording, RecordingState.MISSING,
                                         f"no upload came within {settings.RECORDING_WAIT_SECONDS} s")
            continue
        try:
            done += _pick(recording, folder, watch)
        except OSError as exc:
            logger.warning("recording %s: %s", recording.pk, exc)
            if now - recording.announced_at >= wait:
                done += recording_settle(recording, RecordingState.FAILED, f"reading it failed: {exc}")
            continue
        else:
            if recording.state == RecordingState.ANNOUNCED and now - recording.announced_at >= wait \
                    and recording.pk not in watch.seen:
                done += recording_settle(recording, RecordingState.MISSING,
                                         f"not in the recordings folder {settings.RECORDING_WAIT_SECONDS} s after "
                                         "it was announced")
    return done


def _pick(recording: Recording, folder: str, watch: FolderWatch) -> int:
    for path in folder_candidates(recording, folder):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            continue
        if not watch.stable(recording.pk, st.st_size, st.st_mtime, now=time.monotonic(), wall=time.time()):
            return 0
        with open(path, "rb") as stream:
            recording_store(recording, stream)
        watch.seen.pop(recording.pk, None)
        recording.state = RecordingState.STORED
        return 1
    return 0


def recordings_give_up(*, limit: int = 500) -> int:
    """Links and uploads awaited longer than the wait: missing (the folder's are the ingest
    process's own, see recordings_pickup)."""
    cutoff = timezone.now() - timedelta(seconds=settings.RECORDING_WAIT_SECONDS)
    late = Recording.objects.filter(state=RecordingState.ANNOUNCED, announced_at__lt=cutoff).exclude(
        source=RecordingSource.FOLDER).order_by("announced_at")[:limit]
    why = {RecordingSource.URL: f"the link was not fetched within {settings.RECORDING_WAIT_SECONDS} s",
           RecordingSource.UPLOAD: f"no upload came within {settings.RECORDING_WAIT_SECONDS} s"}
    return sum(recording_settle(r, RecordingState.MISSING, why.get(r.source, "never arrived")) for r in late)
