import logging

from celery import shared_task
from django.utils import timezone

from hub.db_outage import DATABASE_UNAVAILABLE, database_failure_noted
from hub.models import Pbx
from hub.services.calls import calls_close_idle
from hub.services.ingest.flush import catalogue_advance_between_pushes, catalogue_flush_stalled
from hub.services.ingest.push_wakeups import push_wakeup_schedule
from hub.services.outages import outage_record_pending

logger = logging.getLogger(__name__)


@shared_task(name="hub.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by readiness tooling and the broker tests."""
    return value


@shared_task(name="hub.close_idle_calls")
def close_idle_calls() -> int:
    return calls_close_idle()


@shared_task(name="hub.flush_catalogue")
def flush_catalogue() -> int:
    """Every 15 s (beat). An outage this process saw is recorded before anything is let out
    (hub.services.outages): the pushes it refused hold their PBXes' watermarks."""
    try:
        outage_record_pending()
        return catalogue_flush_stalled()
    except DATABASE_UNAVAILABLE as exc:
        database_failure_noted()
        logger.warning("flush_catalogue: database unavailable (%s); the next run records the outage",
                       exc.__class__.__name__)
        return 0


@shared_task(name="hub.advance_pushes", ignore_result=True)
def advance_pushes(pbx_id: int) -> int:
    """A one-off wake-up at the moment a push stream's watermark lets waiting events out
    (hub.services.ingest.push_wakeups); publishes the next one while events still wait."""
    try:
        outage_record_pending()
        pbx = Pbx.objects.filter(pk=pbx_id).first()
        if pbx is None:
            return 0
        now = timezone.now()
        released = catalogue_advance_between_pushes(pbx=pbx, now=now)
        push_wakeup_schedule(pbx, now, on_commit=False)
        return released
    except DATABASE_UNAVAILABLE as exc:
        database_failure_noted()
        logger.warning("advance_pushes: database unavailable (%s); the beat task catches up", exc.__class__.__name__)
        return 0


@shared_task(name="hub.purge_retention", ignore_result=True)
def purge_retention() -> dict:
    """Roll the partitions and delete what is past its account's retention (docs/retention.md)."""
    from hub.services.retention import retention_purge
    result = retention_purge()
    return {"deleted": result.deleted, "partitions_dropped": result.partitions_dropped,
            "partitions_created": result.partitions_created, "finished": result.finished}
