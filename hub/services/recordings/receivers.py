"""A recording row deleted with its call (the account's call retention, a deleted PBX or
account) takes its audio with it, after the deletion commits: no object is left in the storage
that no row names."""
from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from hub.models import Recording

logger = logging.getLogger(__name__)


def _audio_drop(key: str) -> None:
    from hub.services.recordings.storage import recordings_storage

    try:
        recordings_storage().delete(key)
    except Exception:  # the row is gone either way; a stray object is logged, not raised
        logger.warning("could not delete the audio of a deleted recording: %s", key, exc_info=True)


@receiver(post_delete, sender=Recording, dispatch_uid="recording-audio-drop")
def recording_deleted(sender, instance: Recording, **kwargs) -> None:
    if instance.storage_key and instance.purged_at is None:
        transaction.on_commit(partial(_audio_drop, instance.storage_key), robust=True)
