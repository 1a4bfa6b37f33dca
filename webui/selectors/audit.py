from __future__ import annotations

from django.db.models import QuerySet

from hub.models import Account, AuditEntry

# What the filter offers: the prefix of the action names each part of the hub writes.
OBJECT_KINDS = {"api_key": "API keys", "allowed_network": "IP whitelist", "webhook": "Webhooks",
                "ingest_source": "PBX sources", "component": "Components"}


def audit_search(*, account: Account, kind: str = "", actor: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(account=account)
    if kind in OBJECT_KINDS:
        entries = entries.filter(action__startswith=f"{kind}.")
    if actor:
        entries = entries.filter(actor__icontains=actor.strip())
    return entries.order_by("-created_at", "-id")
