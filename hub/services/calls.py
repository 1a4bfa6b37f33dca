"""Services on calls outside ingest: closing calls whose end never came."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hub.models import Call, CallState, Pbx
from hub.services.delivery import deliveries_create
from hub.services.ingest.advance import calls_advance
from hub.services.ingest.catalogue_store import catalogue_events_store
from hub.services.ingest.turns import pbx_turn_take
from hub.services.ingest.watermarks import pbx_time

BATCH = 500


def calls_close_idle(*, now: datetime | None = None) -> int:
    """Close in-progress calls silent for longer than their PBX's idle_call_timeout, in the
    PBX's own time (watermarks.pbx_time): a log read hours after it was written is not idle
    while it is being read.

    A closed call ends at its last known activity and is marked (state closed_idle,
    closed_reason), so its history row and completion events still come out. A line of it
    read later still joins it (linking), and a real end turns it into an ended call.
    """
    now = now or timezone.now()
    closed = 0
    for pbx in Pbx.objects.all():  # an operator task across tenants: each call stays in its PBX
        pbx_now = pbx_time(pbx, now)
        cutoff = pbx_now - timedelta(seconds=pbx.idle_call_timeout)
        reason = f"no end seen within {pbx.idle_call_timeout} s"
        while ids := list(Call.objects.filter(pbx=pbx, state=CallState.IN_PROGRESS, closed_reason="",
                                              last_event_at__lt=cutoff).values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                pbx_turn_take(pbx)
                # Again under the turn: a push may have just brought one of them news.
                ids = list(Call.objects.filter(pk__in=ids, state=CallState.IN_PROGRESS, closed_reason="",
                                               last_event_at__lt=cutoff).values_list("pk", flat=True))
                Call.objects.filter(pk__in=ids).update(closed_reason=reason)
                deliveries_create(events=catalogue_events_store(pbx, calls_advance(pbx, set(ids), watermark=pbx_now)))
            closed += len(ids)
    return closed
