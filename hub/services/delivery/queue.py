"""Which deliveries of an endpoint to wake next: due, first in their call's line, within free slots."""
from __future__ import annotations

from datetime import datetime

from hub.models import WebhookEndpoint
from hub.services.delivery.claim import due, sending_count


def next_due_ids(*, endpoint: WebhookEndpoint, now: datetime) -> list[int]:
    if not endpoint.enabled:
        return []
    free = max(endpoint.max_concurrency, 1) - sending_count(endpoint_id=endpoint.pk)
    if free <= 0:
        return []
    rows = due(now=now).filter(endpoint_id=endpoint.pk).order_by("next_attempt_at", "id")
    return list(rows.values_list("pk", flat=True)[:free])
