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
