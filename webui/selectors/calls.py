"""Call history as the console searches and shows it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

from django.db.models import Q, QuerySet

from hub.models import Account, Call, CatalogueEvent, Delivery, StoredPbxEvent
from hub.selectors.calls import call_list


def call_search(*, account: Account, text: str = "", direction: str = "", state: str = "",
                day_from: date | None = None, day_to: date | None = None) -> QuerySet[Call]:
    calls = call_list(account=account)
    if text:
        text = text.strip()
        calls = calls.filter(Q(unique_call_id=text) | Q(pbx_call_id=text) | Q(caller_number__contains=text)
                             | Q(dest_number__contains=text) | Q(did__contains=text) | Q(caller_name__icontains=text)
                             | Q(user_legs__user=text) | Q(queue_legs__queue=text)).distinct()
    if direction:
        calls = calls.filter(direction=direction)
    if state:
        calls = calls.filter(state=state)
    if day_from:
        calls = calls.filter(call_start_at__gte=datetime.combine(day_from, time.min, tzinfo=dt_timezone.utc))
    if day_to:
        calls = calls.filter(call_start_at__lt=datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=dt_timezone.utc))
    return calls.order_by("-call_start_at", "-id")


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # "pbx" (what the PBX said) | "event" (what the hub derived)
    title: str
    detail: str = ""


def call_timeline(*, call: Call) -> list[TimelineItem]:
    """What the PBX reported and the catalogue events the hub derived, in time order."""
    items = [TimelineItem(e.occurred_at, "pbx", e.kind.replace("_", " "), e.source)
             for e in StoredPbxEvent.objects.filter(call=call).order_by("occurred_at", "id")]
    items += [TimelineItem(e.occurred_at, "event", e.trigger, "catalogue event")
              for e in CatalogueEvent.objects.filter(call=call).order_by("sequence", "id")]
    return sorted(items, key=lambda item: (item.at, item.kind != "pbx"))


def call_deliveries(*, call: Call) -> QuerySet[Delivery]:
    return Delivery.objects.filter(account_id=call.account_id, call=call).select_related("endpoint").defer("body").order_by("created_at", "id")
