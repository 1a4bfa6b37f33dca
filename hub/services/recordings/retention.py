"""Retention: each account keeps audio ``recording_retention_days`` (default 90) after it was
recorded; a beat task deletes older audio in batches and marks it purged. The recording's row
(name, size, duration, checksum, state) stays in the call history. An admin may delete one
recording's audio sooner (audited)."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hub.models import Account, Recording, RecordingState
from hub.services.audit import audit_record
from hub.services.recordings.storage import audio_delete

logger = logging.getLogger(__name__)


def _purge(recording: Recording, reason: str, now) -> bool:
    with transaction.atomic():
        locked = Recording.objects.select_for_update().filter(pk=recording.pk, state=RecordingState.STORED).first()
        if locked is None:
            return False
        try:
            audio_delete(locked)
        except FileNotFoundError:
            pass
        locked.state, locked.state_reason, locked.purged_at = RecordingState.PURGED, reason, now
        locked.save(update_fields=["state", "state_reason", "purged_at"])
    return True


def recordings_purge(*, batch: int = 500, now=None) -> int:
    """Purge, account by account, stored audio older than the account keeps; at most ``batch``
    recordings an account per call (the beat task runs hourly). Returns how many."""
    now = now or timezone.now()
    purged = 0
    for account_id, days in Account.objects.values_list("id", "recording_retention_days"):
        cutoff = now - timedelta(days=days)
        old = Recording.objects.filter(call__account_id=account_id, state=RecordingState.STORED,
                                       recorded_at__lt=cutoff).order_by("recorded_at", "id")[:batch]
        for recording in old:
            try:
                purged += _purge(recording, f"older than the account's {days} days", now)
            except Exception:  # one object the storage cannot delete must not stop the rest
                logger.exception("purging recording %s failed", recording.pk)
    return purged


def recording_delete(*, account: Account, recording: Recording, user) -> bool:
    """An admin deletes one recording's audio now; the metadata stays, the audit log says who."""
    now = timezone.now()
    with transaction.atomic():
        done = _purge(recording, f"deleted by {getattr(user, 'email', '') or 'an admin'}", now)
        if done:
            audit_record(account=account, user=user, action="recording.deleted", obj=recording,
                         summary=f"Deleted the audio of {recording.original_name} (call {recording.call.unique_call_id})")
    return done
