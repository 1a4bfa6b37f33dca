"""An admin sends failed deliveries again: one, or all of an endpoint's since a time."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hub.errors import Conflict
from hub.models import Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.delivery.enqueue import endpoints_wake_on_commit

# A redelivery starts a fresh retry schedule; the attempt log keeps every earlier try.
_AGAIN = {"status": DeliveryStatus.PENDING, "attempt_count": 0, "last_error": "", "claimed_at": None}


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, now: datetime | None = None) -> Delivery:
    now = now or timezone.now()
    if delivery.is_test:
        raise Conflict("a test request is never sent again; send a new test instead")
    again = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(**_AGAIN, next_attempt_at=now)
    if not again:
        raise Conflict(f"only a failed delivery can be redelivered (this one is {delivery.status})")
    endpoints_wake_on_commit([delivery.endpoint_id])
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_recover(*, endpoint: WebhookEndpoint, since: datetime, now: datetime | None = None) -> int:
    """Every failed delivery of ``endpoint`` created since ``since`` goes out again, in order."""
    now = now or timezone.now()
    count = (Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.FAILED, is_test=False,
                                     created_at__gte=since)
             .update(**_AGAIN, next_attempt_at=now))
    if count:
        endpoints_wake_on_commit([endpoint.pk])
    return count
