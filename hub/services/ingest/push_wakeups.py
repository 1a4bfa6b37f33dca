"""Catalogue events that wait only for a push stream go out when its watermark passes them,
not at the beat task's next pass.

Between pushes the push watermark moves on with the wall clock (watermarks.pbx_watermark,
``between_pushes``): an event whose gate is ``due`` is let out at
``quiet_since + (due - (pushed_through - allowance))``, the last push plus the allowance for a
line's own fact at the newest pushed time. After each push batch that leaves events waiting,
one Celery task is published for that moment (``hub.advance_pushes``, an ETA); it moves the
stream on as the beat task would (idempotent: what went out is stored once) and publishes the
next one while events still wait. A process publishes no second wake-up for a PBX while one
it published fires earlier; the beat task (every 15 s) stays the safety net for a lost one.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from functools import partial

from celery import current_app
from django.db import transaction
from django.db.models import Min

from hub.models import Call, Pbx
from hub.services.delivery.enqueue import RETRY_POLICY
from hub.services.ingest.watermarks import _push_position, push_idle, push_lateness

logger = logging.getLogger(__name__)

ADVANCE_PUSHES_TASK = "hub.advance_pushes"


class _Scheduled:
    """The wake-ups this process has published and that have not fired yet, one per PBX."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[int, datetime] = {}

    def take(self, pbx_id: int, at: datetime, *, now: datetime) -> bool:
        with self._lock:
            scheduled = self._at.get(pbx_id)
            if scheduled is not None and now < scheduled <= at:
                return False
            self._at[pbx_id] = at
            return True


SCHEDULED = _Scheduled()


def push_wakeup_at(pbx: Pbx, now: datetime) -> datetime | None:
    """When (wall clock) the push stream's move between pushes next lets a waiting event of the
    PBX out; None if nothing waits, or if the push stream is not what it waits for."""
    position = _push_position(pbx)
    quiet = position.quiet_since()
    if position.through is None or quiet is None:
        return None
    due = Call.objects.filter(pbx=pbx, emit_due_at__isnull=False).aggregate(due=Min("emit_due_at"))["due"]
    if due is None:
        return None
    lateness = push_lateness(pbx)
    at = quiet + (due - (position.through - lateness))
    hold = position.hold(pbx, now)
    if hold is not None:
        at = max(at, position.resumed_at + lateness)
    at = min(at, quiet + push_idle(pbx))  # a quiet stream then holds nothing back any more
    return at if at > now else None


def push_wakeup_schedule(pbx: Pbx, now: datetime, *, on_commit: bool = True) -> datetime | None:
    """Publish the PBX's next wake-up (after the caller's transaction commits, if ``on_commit``)."""
    at = push_wakeup_at(pbx, now)
    if at is None or not SCHEDULED.take(pbx.pk, at, now=now):
        return None
    if on_commit:
        transaction.on_commit(partial(_publish, pbx.pk, at), robust=True)
    else:
        _publish(pbx.pk, at)
    return at


def _publish(pbx_id: int, at: datetime) -> None:
    try:
        current_app.send_task(ADVANCE_PUSHES_TASK, args=[pbx_id], eta=at, retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker is down: the beat task lets the events out at its next pass
        logger.warning("could not schedule PBX %d's push wake-up; the beat task will", pbx_id, exc_info=True)
