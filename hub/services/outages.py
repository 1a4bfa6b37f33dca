"""Database outages, recorded once the database answers again, and the push streams they hold.

While PostgreSQL is down the hub answers pushes 503 with Retry-After (hub.views.errors), and
each process that meets the outage notes its first failure in memory (hub.db_outage.NOTED):
a web worker answering a 503, the ingest process and its CDR socket servers retrying a store,
the worker running the beat task. The first thing such a process does once the database
answers, before any work of its own, is ``outage_record_pending``: the outage is written (or
joined, when another process recorded it already) and every PBX that pushes with event times
gets a hold.

Why a hold: the senders retry what was refused once the database is back, behind pushes that
went through meanwhile, and the outage is no quiet time of the PBX (the hub could not hear
it). Without the hold the first fresh push after an outage longer than the lateness allowance
would move the push watermark past everything the retries bring, and the beat task would count
the outage as time the stream was silent; completion events would then go out without the
answer or the caller the retries carry. With it, the PBX's watermark stays where it stood when
the outage began (Pbx.push_held_at) until every refused push has been retried: the outage's
end, the Retry-After the 503s gave, and the PBX's lateness allowance after that
(Pbx.push_resumed_at + allowance). Then it moves on as if the pushes had come in time.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from hub.db_outage import NOTED, RETRY_AFTER_SECONDS
from hub.models import DatabaseOutage, Pbx
from hub.services.ingest.turns import pbx_turn_take
from hub.services.ingest.watermarks import push_lateness

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(namespace, 0): one process records an outage at a time ("HUBO").
_NAMESPACE = 0x4855424F
# No allowance is longer (hub.services.webui_pbx.MAX_PUSH_LATENESS).
MAX_HOLD = timedelta(hours=1)


def outage_record_pending(now: datetime | None = None) -> DatabaseOutage | None:
    """Record the outage this process noted, if any (cheap when there is none). Raises the
    database's error while it is still unavailable; the note stays for the next try."""
    failed_at = NOTED.failed_at
    if failed_at is None:
        return None
    outage = outage_record(failed_at=failed_at, reachable_at=now or timezone.now())
    NOTED.forget(failed_at)
    return outage


def outage_record(*, failed_at: datetime, reachable_at: datetime) -> DatabaseOutage:
    """A process found the database unavailable at ``failed_at`` and reachable at
    ``reachable_at``: the same outage as a recorded one that ended after ``failed_at`` (another
    process saw it end first), else a new one. Holds the push streams of a new outage, and of a
    joined one whose hold still runs (an earlier start holds from further back)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_NAMESPACE])
        outage = (DatabaseOutage.objects.filter(started_at__lte=reachable_at, ended_at__gte=failed_at)
                  .order_by("ended_at").first())
        if outage is None:
            outage = DatabaseOutage.objects.create(started_at=failed_at, ended_at=reachable_at)
            logger.warning("database outage recorded: unavailable from %s to %s at the latest; push streams "
                           "wait for the retries", failed_at.isoformat(), reachable_at.isoformat())
        else:
            outage.started_at = min(outage.started_at, failed_at)
            outage.noted_by += 1
            outage.save(update_fields=["started_at", "noted_by"])
        joined = outage.noted_by > 1
    pushing = Pbx.objects.filter(pushed_at__isnull=False)
    if joined:  # held already when it was recorded: only the holds still running may change
        pushing = pushing.filter(push_resumed_at__gt=reachable_at - MAX_HOLD)
    for pbx_id in pushing.order_by("pk").values_list("pk", flat=True):
        push_stream_hold(pbx_id, outage, now=reachable_at)
    return outage


def push_stream_hold(pbx_id: int, outage: DatabaseOutage, *, now: datetime) -> None:
    """Hold the PBX's watermark where it stood before ``outage`` until the pushes it refused
    have been retried (see the module's docstring)."""
    resumed = outage.ended_at + timedelta(seconds=RETRY_AFTER_SECONDS)
    with transaction.atomic():
        pbx = Pbx.objects.get(pk=pbx_id)
        pbx_turn_take(pbx)  # after the PBX's pushes in flight; then read what they committed
        pbx = Pbx.objects.get(pk=pbx_id)
        lateness = push_lateness(pbx)
        if now >= resumed + lateness or pbx.pushed_through is None:
            return  # the retries are in by now (a process that saw the outage came back late)
        # Where the watermark stood: the last one recorded (a batch's, or the beat task's moved
        # on between pushes) is at or before the push stream's position before the outage.
        held = pbx.watermark_at if pbx.watermark_at is not None else pbx.pushed_through - lateness
        if pbx.push_resumed_at is not None and pbx.push_held_at is not None and now < pbx.push_resumed_at + lateness:
            held, resumed = min(held, pbx.push_held_at), max(resumed, pbx.push_resumed_at)
        Pbx.objects.filter(pk=pbx_id).update(push_held_at=held, push_resumed_at=resumed)


def outage_ended_last() -> datetime | None:
    """When the latest recorded outage ended."""
    return DatabaseOutage.objects.order_by("-ended_at").values_list("ended_at", flat=True).first()


_server_started: dict[str, datetime] = {}


def server_restart_check(sender, connection, **kwargs) -> None:
    """On every new connection (signal connection_created, PostgreSQL): a server that started
    since this process's last connection was restarted, an outage this process may not have
    met (a web worker that answered no request while it was down): it is recorded before the
    connection's first work, so a fresh push stored by such a process waits for the retries
    like the rest. One query per new connection (kept for DATABASE_CONN_MAX_AGE). A process
    started while the server was down knows of no earlier one (see docs/ingest.md, "Pushes")."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        started = cursor.fetchone()[0]
    known = _server_started.get(connection.alias)
    _server_started[connection.alias] = started
    if known is None or started == known:
        return  # the process's first connection, or the same server as before
    NOTED.failed(started)  # down until it started (a later failure this process saw stays)
    if not connection.in_atomic_block:
        outage_record_pending()
