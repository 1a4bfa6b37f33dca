"""Reads of the delivery engine's tables, always through the account."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from hub.errors import NotFound
from hub.models import Account, Attempt, Delivery, SigningSecret, WebhookEndpoint


def webhook_list(*, account: Account) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(account=account).order_by("created_at", "id")


def webhook_get(*, account: Account, endpoint_id: int) -> WebhookEndpoint:
    """Another account's endpoint is as unknown as a missing one."""
    endpoint = webhook_list(account=account).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"no webhook with id {endpoint_id}")
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint=endpoint).defer("body").order_by("-created_at", "-id")


def delivery_get(*, account: Account, delivery_id: int) -> Delivery:
    delivery = Delivery.objects.filter(account=account, pk=delivery_id).first()
    if delivery is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    return delivery


def attempt_list(*, delivery: Delivery) -> QuerySet[Attempt]:
    return Attempt.objects.filter(delivery=delivery).order_by("started_at", "id")


def signing_secrets_active(*, endpoint: WebhookEndpoint) -> list[SigningSecret]:
    """Newest first: the one signing now, then any old one still signing beside it after a rotation."""
    now = timezone.now()
    return list(SigningSecret.objects.filter(endpoint=endpoint).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .order_by("-created_at", "-id"))
