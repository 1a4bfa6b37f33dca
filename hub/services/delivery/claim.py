"""Claiming a delivery: a conditional update, with per-call order and per-endpoint concurrency.

A delivery may be sent only when no earlier delivery of the same (endpoint, call) is still
pending or sending, and while fewer than ``max_concurrency`` of its endpoint's deliveries are
being sent. The endpoint row is locked for the few statements of a claim, so two workers cannot
both take the last free slot; the order rule needs no lock, because an earlier delivery only
ever leaves pending/sending (an admin's redeliver is the exception, and then it queues again).
"""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from hub.models import Delivery, DeliveryStatus, WebhookEndpoint

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def _earlier_open() -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        Q(sequence__lt=OuterRef("sequence")) | Q(sequence=OuterRef("sequence"), id__lt=OuterRef("id")),
        endpoint_id=OuterRef("endpoint_id"), call_id=OuterRef("call_id"), status__in=OPEN,
    )


def due(*, now: datetime) -> QuerySet[Delivery]:
    """Pending, due, and first in line of its call (deliveries without a call are never held)."""
    return (Delivery.objects.filter(status=DeliveryStatus.PENDING, is_test=False)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(call__isnull=True) | ~Exists(_earlier_open())))


def sending_count(*, endpoint_id: int) -> int:
    return Delivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.SENDING).count()


def delivery_claim(*, delivery_id: int, now: datetime) -> Delivery | None:
    """The delivery, now SENDING and ours; None when it is not ours to send (yet)."""
    endpoint_id = (Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
                   .values_list("endpoint_id", flat=True).first())
    if endpoint_id is None:
        return None
    with transaction.atomic():
        endpoint = (WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, enabled=True)
                    .first())
        if endpoint is None or sending_count(endpoint_id=endpoint_id) >= max(endpoint.max_concurrency, 1):
            return None
        claimed = due(now=now).filter(pk=delivery_id).update(status=DeliveryStatus.SENDING, claimed_at=now)
    if claimed != 1:
        return None
    delivery = Delivery.objects.get(pk=delivery_id)
    delivery.endpoint = endpoint
    return delivery
