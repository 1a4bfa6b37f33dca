"""Which deliveries of an endpoint to wake next: due, first in their call's line, within free slots."""
from __future__ import annotations

from datetime import datetime

from hub.models import Delivery, WebhookEndpoint
from hub.services.delivery.claim import due, sending_count


def next_due_ids(*, endpoint: WebhookEndpoint, now: datetime, limit: int | None = None) -> list[int]:
    """Up to the endpoint's free slots (and ``limit``) of its due deliveries, oldest first."""
    if not endpoint.enabled:
        return []
    free = max(endpoint.max_concurrency, 1) - sending_count(endpoint_id=endpoint.pk)
    if limit is not None:
        free = min(free, limit)
    if free <= 0:
        return []
    rows = due(now=now).filter(endpoint_id=endpoint.pk).order_by("next_attempt_at", "id")
    return list(rows.values_list("pk", flat=True)[:free])


def call_successor_id(*, delivery: Delivery, now: datetime) -> int | None:
    """The next delivery of the same (endpoint, call), if it is now due (its turn has come)."""
    if delivery.call_id is None:
        return None
    rows = due(now=now).filter(endpoint_id=delivery.endpoint_id, call_id=delivery.call_id)
    return rows.order_by("sequence", "id").values_list("pk", flat=True).first()
