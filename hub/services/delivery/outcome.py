"""After a send: the attempt log row, the delivery's next state, the endpoint's health."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from hub.models import Attempt, Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.delivery.config import retry_schedule
from integrations.delivery import Outcome, SendResult, classify, next_delay


@dataclass(frozen=True)
class Decision:
    status: str
    next_attempt_at: datetime | None = None
    disable_endpoint: bool = False


def failure_reason(result: SendResult) -> str:
    if result.status_code is not None:
        return f"HTTP {result.status_code}"
    return f"{result.error_class}: {result.error_message}"[:1000]


def decide(result: SendResult, *, attempt_number: int, now: datetime, is_test: bool) -> Decision:
    outcome = classify(result)
    if outcome == Outcome.DELIVERED:
        return Decision(DeliveryStatus.DELIVERED)
    if outcome == Outcome.RETRY and not is_test:
        delay = next_delay(attempt_number + 1, schedule=retry_schedule(), now=now,
                           retry_after=result.response_headers.get("Retry-After"))
        if delay is not None:
            return Decision(DeliveryStatus.PENDING, now + delay)
    return Decision(DeliveryStatus.FAILED, disable_endpoint=outcome == Outcome.DISABLE_ENDPOINT and not is_test)


def attempt_record(*, delivery: Delivery, result: SendResult, started_at: datetime) -> Attempt:
    return Attempt.objects.create(
        delivery=delivery, started_at=started_at, duration_ms=result.duration_ms, status_code=result.status_code,
        response_body=result.response_body, error_class=result.error_class or "",
        error_message=result.error_message, resolved_ip=result.resolved_ip,
        request_headers=dict(result.request_headers_masked),
    )


def endpoint_disable(*, endpoint_id: int, reason: str, now: datetime) -> bool:
    return WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).update(
        enabled=False, disabled_at=now, disabled_reason=reason) == 1


def _health_success(endpoint_id: int, now: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        last_success_at=now, consecutive_failures=0, failing_since=None)


def _health_failure(endpoint_id: int, reason: str, now: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        last_failure_at=now, last_failure_reason=reason, consecutive_failures=F("consecutive_failures") + 1)
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(failing_since=now)
    limit = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    if WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__lte=limit).exists():
        endpoint_disable(endpoint_id=endpoint_id, now=now,
                         reason=f"failing since more than {settings.WEBHOOK_DISABLE_AFTER_DAYS} days ({reason})")


def outcome_record(*, delivery: Delivery, result: SendResult, started_at: datetime, now: datetime) -> Decision:
    """Log the attempt and move the delivery on, if it is still ours (the sweeper may have
    taken it back from a worker it thought dead: then only the attempt is logged)."""
    attempt_number = delivery.attempt_count + 1
    decision = decide(result, attempt_number=attempt_number, now=now, is_test=delivery.is_test)
    reason = "" if decision.status == DeliveryStatus.DELIVERED else failure_reason(result)
    with transaction.atomic():
        attempt_record(delivery=delivery, result=result, started_at=started_at)
        moved = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                        claimed_at=delivery.claimed_at).update(
            status=decision.status, attempt_count=attempt_number, next_attempt_at=decision.next_attempt_at,
            claimed_at=None, last_error=reason,
            delivered_at=now if decision.status == DeliveryStatus.DELIVERED else None)
        if not moved or delivery.is_test:
            return decision
        if decision.status == DeliveryStatus.DELIVERED:
            _health_success(delivery.endpoint_id, now)
        else:
            _health_failure(delivery.endpoint_id, reason, now)
        if decision.disable_endpoint:
            endpoint_disable(endpoint_id=delivery.endpoint_id, now=now,
                             reason=f"the receiver answered 410 Gone ({delivery.url})")
    return decision
