"""Bringing out catalogue events that wait for a watermark no source will move any more, or
that only the wall clock moves (a push stream between pushes)."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hub.models import Call, Pbx
from hub.services.delivery import deliveries_create
from hub.services.ingest.advance import calls_advance
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.catalogue_store import catalogue_events_store
from hub.services.ingest.turns import pbx_turn_take
from hub.services.ingest.watermarks import due_call_ids, pbx_watermark, watermark_record
from hub.services.outages import outage_ended_last

# A PBX whose watermark has not moved for this long (wall clock) has sources that are silent
# or stuck: what waits for them goes out from what the hub knows.
FLUSH_GRACE = timedelta(seconds=60)


def catalogue_flush(*, pbx: Pbx) -> int:
    """Let out all the PBX's waiting catalogue events, as if every source had been read to
    its end; returns how many went out."""
    return len(events_ingest(pbx=pbx, events=[], flush=True).catalogue_events)


def catalogue_advance_between_pushes(*, pbx: Pbx, now: datetime) -> int:
    """Let out what the PBX's watermark covers once the wall-clock time since its last push
    moves its push stream on (watermarks.pbx_watermark); returns how many went out."""
    with transaction.atomic():
        pbx_turn_take(pbx)
        watermark = pbx_watermark(pbx, own=None, pushed=[], now=now, between_pushes=True)
        watermark_record(pbx, watermark, now)
        due = due_call_ids(pbx, watermark)
        stored = catalogue_events_store(pbx, calls_advance(pbx, set(due), watermark=watermark)) if due else []
        deliveries_create(events=stored)
    return len(stored)


def catalogue_flush_stalled(*, now: datetime | None = None) -> int:
    """The beat task's pass: every PBX with waiting events whose watermark has stood still for
    FLUSH_GRACE (since the last database outage, if later) is flushed; a push-fed one between
    pushes moves on with the wall clock."""
    now = now or timezone.now()
    stalled = Q(watermark_moved_at__isnull=True) | Q(watermark_moved_at__lt=now - FLUSH_GRACE)
    outage_ended = outage_ended_last()
    if outage_ended is not None and outage_ended >= now - FLUSH_GRACE:
        # The sources could not be read while the database was down: no source has been
        # silent since then for FLUSH_GRACE yet.
        stalled = Q(pk__in=[])
    waiting = Call.objects.filter(emit_due_at__isnull=False).values("pbx_id")
    flushed = sum(catalogue_flush(pbx=pbx) for pbx in Pbx.objects.filter(stalled, pk__in=waiting))
    pushed = Pbx.objects.filter(pk__in=waiting, pushed_at__isnull=False).exclude(stalled)
    return flushed + sum(catalogue_advance_between_pushes(pbx=pbx, now=now) for pbx in pushed)
