"""Bringing out catalogue events that wait for a watermark no source will move any more."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from hub.models import Call, Pbx
from hub.services.ingest.batch import events_ingest

# A PBX whose watermark has not moved for this long (wall clock) has sources that are silent
# or stuck: what waits for them goes out from what the hub knows.
FLUSH_GRACE = timedelta(seconds=60)


def catalogue_flush(*, pbx: Pbx) -> int:
    """Let out all the PBX's waiting catalogue events, as if every source had been read to
    its end; returns how many went out."""
    return len(events_ingest(pbx=pbx, events=[], flush=True).catalogue_events)


def catalogue_flush_stalled(*, now: datetime | None = None) -> int:
    """The beat task's pass: flush every PBX with waiting events whose watermark has stood
    still for FLUSH_GRACE."""
    now = now or timezone.now()
    stalled = Q(watermark_moved_at__isnull=True) | Q(watermark_moved_at__lt=now - FLUSH_GRACE)
    waiting = Call.objects.filter(emit_due_at__isnull=False).values("pbx_id")
    return sum(catalogue_flush(pbx=pbx) for pbx in Pbx.objects.filter(stalled, pk__in=waiting))
