"""Deliveries and signing secrets as the console lists them, always through the account."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hub.models import Account, Attempt, Delivery, WebhookEndpoint
from hub.selectors.delivery import signing_secrets_active


def _day_start(day: date) -> datetime:
    # A day as the console's current time zone has it (the viewer's), not UTC's.
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def delivery_search(*, account: Account, endpoint_id: int | None = None, status: str = "", trigger: str = "",
                    call: str = "", message_id: str = "", since: date | None = None,
                    until: date | None = None) -> QuerySet[Delivery]:
    """The account's deliveries, newest first; ``since`` and ``until`` are whole days, both included."""
    deliveries = Delivery.objects.filter(account=account).select_related("endpoint", "call").defer("body")
    if since:
        deliveries = deliveries.filter(created_at__gte=_day_start(since))
    if until:
        deliveries = deliveries.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    if message_id:
        deliveries = deliveries.filter(message_id=message_id.strip())
    if endpoint_id:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    if trigger:
        deliveries = deliveries.filter(trigger=trigger)
    if call:
        deliveries = deliveries.filter(call__unique_call_id=call.strip())
    return deliveries.order_by("-created_at", "-id")


__all__ = ["TestOutcome", "delivery_search", "endpoint_choices", "signing_secrets_active", "test_outcome_get"]


def endpoint_choices(*, account: Account) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(account=account).order_by("created_at", "id")


@dataclass(frozen=True)
class TestOutcome:
    """A test request as the endpoint page shows it after the redirect: what was sent, what came back."""
    delivery: Delivery
    attempt: Attempt | None

    @property
    def request_body(self) -> str:
        return bytes(self.delivery.body or b"").decode("utf-8", "replace")


def test_outcome_get(*, endpoint: WebhookEndpoint, delivery_id) -> TestOutcome | None:
    """The endpoint's test delivery ``delivery_id`` (None for anything else, another account's too)."""
    try:
        delivery_id = int(delivery_id)
    except (TypeError, ValueError):
        return None
    delivery = Delivery.objects.filter(endpoint=endpoint, is_test=True, pk=delivery_id).first()
    if delivery is None:
        return None
    return TestOutcome(delivery, Attempt.objects.filter(delivery=delivery).order_by("-started_at", "-id").first())
