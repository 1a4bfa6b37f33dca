"""Celery interface of the delivery engine: ids in, one service call each.

With ``WEBHOOK_ENGINE=loop`` (the default) a wake-up hands its endpoints to this process's
engine (``hub/services/delivery/engine.py``) and returns at once: no task holds a worker thread
while requests are in flight. With ``pump`` each task runs its endpoint's pump."""
from celery import shared_task
from django.conf import settings

from hub.metrics.record import sweep_ran
from hub.models import Delivery
from hub.services.delivery import attempts_prune, deliveries_sweep, endpoint_pump, endpoints_pump
from hub.services.delivery.engine import ENGINE


@shared_task(name="hub.deliver_endpoint", ignore_result=True)
def deliver_endpoint(endpoint_id: int) -> int:
    if settings.WEBHOOK_ENGINE == "loop":
        ENGINE.wake([endpoint_id])
        return 0
    return endpoint_pump(endpoint_id=endpoint_id).sent


@shared_task(name="hub.deliver_endpoints", ignore_result=True)
def deliver_endpoints(endpoint_ids: list[int]) -> int:
    if settings.WEBHOOK_ENGINE == "loop":
        ENGINE.wake(endpoint_ids)
        return 0
    return endpoints_pump(endpoint_ids=endpoint_ids).sent


@shared_task(name="hub.deliver", ignore_result=True)
def deliver(delivery_id: int) -> int:
    """Messages queued by an older hub name a delivery: its endpoint's pump sends it."""
    endpoint_id = Delivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return 0
    if settings.WEBHOOK_ENGINE == "loop":
        ENGINE.wake([endpoint_id])
        return 0
    return endpoint_pump(endpoint_id=endpoint_id).sent


@shared_task(name="hub.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> dict:
    result = deliveries_sweep()
    sweep_ran()  # beat's pulse, seen from the worker: a stale one means beat is not running
    return {"recovered": result.recovered, "enqueued": result.enqueued}


@shared_task(name="hub.prune_attempts", ignore_result=True)
def prune_attempts() -> int:
    return attempts_prune()
