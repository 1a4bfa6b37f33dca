"""PBX sources and webhook components as the console shows them, through the account."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from hub.models import Account, IngestSource, Pbx, WebhookComponent


def pbxes_with_sources(*, account: Account) -> QuerySet[Pbx]:
    return (Pbx.objects.filter(account=account).select_related("call_control")
            .prefetch_related(Prefetch("sources", queryset=IngestSource.objects.order_by("kind", "id"))))


def ingest_sources(*, account: Account) -> QuerySet[IngestSource]:
    return IngestSource.objects.filter(pbx__account=account).select_related("pbx")


def component_list(*, account: Account) -> QuerySet[WebhookComponent]:
    return WebhookComponent.objects.filter(account=account).order_by("name")
