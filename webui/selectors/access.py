"""Reads for the API & access pages, always through the account."""
from __future__ import annotations

from django.db.models import QuerySet

from hub.models import Account, AllowedNetwork, ApiKey


def api_key_list(*, account: Account) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(account=account).order_by("revoked_at", "-created_at")


def allowed_network_list(*, account: Account) -> QuerySet[AllowedNetwork]:
    return AllowedNetwork.objects.filter(account=account).order_by("network")
