"""Deliveries and signing secrets as the console lists them, always through the account."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from hub.models import Account, Delivery, SigningSecret, WebhookEndpoint


def delivery_search(*, account: Account, endpoint_id: int | None = None, status: str = "", trigger: str = "",
                    call: str = "") -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(account=account).select_related("endpoint", "call").defer("body")
    if endpoint_id:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    if trigger:
        deliveries = deliveries.filter(trigger=trigger)
    if call:
        deliveries = deliveries.filter(call__unique_call_id=call.strip())
    return deliveries.order_by("-created_at", "-id")


def signing_secrets_active(*, endpoint: WebhookEndpoint) -> list[SigningSecret]:
    """Newest first: the one signing now, then any old one still signing beside it after a rotation."""
    now = timezone.now()
    return list(SigningSecret.objects.filter(endpoint=endpoint).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .order_by("-created_at", "-id"))


def endpoint_choices(*, account: Account) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(account=account).order_by("created_at", "id")
