from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hub.models import Account, AuditEntry

# What the filter offers: the prefix of the action names each part of the hub writes.
OBJECT_KINDS = {"api_key": "API keys", "allowed_network": "IP whitelist", "webhook": "Webhooks",
                "delivery": "Deliveries", "click_to_call": "Click-to-call", "pbx": "PBX settings",
                "ingest_source": "PBX sources", "component": "Components", "member": "Team",
                "invitation": "Invitations"}


def _day_start(day: date) -> datetime:
    # Whole days in the console's current time zone, as the viewer reads the dates.
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def audit_actions(*, account: Account) -> list[str]:
    """The actions this account's log holds, for the filter's list."""
    return sorted(AuditEntry.objects.filter(account=account).values_list("action", flat=True).distinct())


def audit_search(*, account: Account, kind: str = "", action: str = "", actor: str = "", since: date | None = None,
                 until: date | None = None) -> QuerySet[AuditEntry]:
    """Newest first; ``since`` and ``until`` are whole days, both included."""
    entries = AuditEntry.objects.filter(account=account)
    if kind in OBJECT_KINDS:
        entries = entries.filter(action__startswith=f"{kind}.")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__icontains=actor.strip())
    if since:
        entries = entries.filter(created_at__gte=_day_start(since))
    if until:
        entries = entries.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return entries.order_by("-created_at", "-id")
