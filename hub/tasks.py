from celery import shared_task

from hub.services.calls import calls_close_idle
from hub.services.ingest.flush import catalogue_flush_stalled


@shared_task(name="hub.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by readiness tooling and the broker tests."""
    return value


@shared_task(name="hub.close_idle_calls")
def close_idle_calls() -> int:
    return calls_close_idle()


@shared_task(name="hub.flush_catalogue")
def flush_catalogue() -> int:
    return catalogue_flush_stalled()


@shared_task(name="hub.purge_retention", ignore_result=True)
def purge_retention() -> dict:
    """Roll the partitions and delete what is past its account's retention (docs/retention.md)."""
    from hub.services.retention import retention_purge
    result = retention_purge()
    return {"deleted": result.deleted, "partitions_dropped": result.partitions_dropped,
            "partitions_created": result.partitions_created, "finished": result.finished}
