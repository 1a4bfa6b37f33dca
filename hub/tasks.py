from celery import shared_task


@shared_task(name="hub.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by readiness tooling and the broker tests."""
    return value
