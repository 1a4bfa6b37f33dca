"""Celery interface of the delivery engine: ids in, one service call each."""
from celery import shared_task

from hub.services.delivery import attempts_prune, deliveries_sweep, delivery_attempt


@shared_task(name="hub.deliver", ignore_result=True)
def deliver(delivery_id: int) -> str | None:
    return delivery_attempt(delivery_id=delivery_id)


@shared_task(name="hub.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> dict:
    result = deliveries_sweep()
    return {"recovered": result.recovered, "enqueued": result.enqueued}


@shared_task(name="hub.prune_attempts", ignore_result=True)
def prune_attempts() -> int:
    return attempts_prune()
