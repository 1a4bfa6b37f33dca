"""Celery tasks of recordings: fetching links, giving up on audio that never came, retention."""
from celery import shared_task

from hub.models import Recording, RecordingSource, RecordingState
from hub.services.recordings.collect import recordings_give_up
from hub.services.recordings.fetch import recording_fetch
from hub.services.recordings.retention import recordings_purge

FETCH_BATCH = 50


@shared_task(name="hub.recording_fetch")
def recording_fetch_task(recording_id: int) -> str:
    return recording_fetch(recording_id)


@shared_task(name="hub.recordings_collect")
def recordings_collect() -> int:
    """Fetch the links awaited (oldest first, a batch per run), then give up on what is late."""
    awaited = list(Recording.objects.filter(state=RecordingState.ANNOUNCED, source=RecordingSource.URL)
                   .order_by("announced_at", "id").values_list("pk", flat=True)[:FETCH_BATCH])
    done = sum(recording_fetch(pk) != RecordingState.ANNOUNCED for pk in awaited)
    return done + recordings_give_up()


@shared_task(name="hub.recordings_purge")
def recordings_purge_task() -> int:
    return recordings_purge()
