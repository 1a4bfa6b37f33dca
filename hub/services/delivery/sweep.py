"""The safety net behind the on-commit enqueue: due deliveries are woken, stuck ones taken back.

"Stuck" means claimed for longer than the endpoint's timeout plus WEBHOOK_STUCK_MARGIN_SECONDS:
a live worker is done by then (the transport's deadline is hard), so the claimer died.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hub.models import Attempt, Delivery, DeliveryStatus
from hub.services.delivery.claim import endpoints_with_due
from hub.services.delivery.enqueue import endpoints_wake


@dataclass
class SweepResult:
    recovered: int = 0
    enqueued: int = 0  # endpoints woken


def _recover(delivery: Delivery, now: datetime) -> bool:
    # A test request is never retried: its caller has long been answered.
    status = DeliveryStatus.FAILED if delivery.is_test else DeliveryStatus.PENDING
    with transaction.atomic():
        taken = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                        claimed_at=delivery.claimed_at).update(
            status=status, claimed_at=None, next_attempt_at=now, last_error="worker lost mid-attempt")
        if taken:
            Attempt.objects.create(delivery=delivery, started_at=delivery.claimed_at, error_class="interrupted",
                                   error_message="the worker sending this attempt stopped; sent again")
    return bool(taken)


def stuck_recover(*, now: datetime) -> int:
    margin = timedelta(seconds=settings.WEBHOOK_STUCK_MARGIN_SECONDS)
    candidates = (Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - margin)
                  .select_related("endpoint").only("id", "claimed_at", "is_test", "endpoint__timeout_seconds"))
    return sum(_recover(d, now) for d in candidates
               if d.claimed_at < now - margin - timedelta(seconds=d.endpoint.timeout_seconds))


def deliveries_sweep(*, now: datetime | None = None) -> SweepResult:
    """Take back stuck deliveries, then wake the pump of every enabled endpoint with due ones."""
    now = now or timezone.now()
    result = SweepResult(recovered=stuck_recover(now=now))
    endpoint_ids = list(endpoints_with_due(now=now))
    endpoints_wake(endpoint_ids)
    result.enqueued = len(endpoint_ids)
    return result


def attempts_prune(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete attempts past their account's retention (WEBHOOK_ATTEMPT_RETENTION_DAYS unless the
    account set its own), a batch per statement, so the table is never locked for long; returns
    how many went. The hourly retention purge (hub.services.retention) does this with the rest."""
    from hub.services.retention import _Budget, accounts_by_days, kind_purge
    counts = {"attempts": 0}
    kind_purge("attempts", now=now or timezone.now(), groups=accounts_by_days()["attempts"],
               budget=_Budget(settings.RETENTION_PURGE_SECONDS), batch=batch_size, counts=counts)
    return counts["attempts"]
