"""Helpers for the engine tests: catalogue events as ingest writes them, and driving the engine."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.db import transaction
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.models import Call, CatalogueEvent, Delivery
from hub.services.delivery import deliveries_create, endpoint_pump
from hub.services.delivery.claim import endpoints_with_due

_keys = count(1)


def make_call(pbx, unique_call_id: str = "250301091422_435") -> Call:
    now = timezone.now()
    return Call.objects.create(account=pbx.account, pbx=pbx, unique_call_id=unique_call_id,
                               pbx_call_id=unique_call_id.split("_")[-1], direction="inbound",
                               call_start_at=now, last_event_at=now)


def make_event(pbx, trigger: str = "user_inbound", *, call: Call | None = None, sequence: int = 0,
               **payload) -> CatalogueEvent:
    body = dict(CATALOGUE[trigger].sample) | payload
    return CatalogueEvent.objects.create(account=pbx.account, pbx=pbx, call=call, key=f"k{next(_keys)}",
                                         trigger=trigger, sequence=sequence, occurred_at=timezone.now(),
                                         payload=body)


def emit(pbx, trigger: str = "user_inbound", **kwargs) -> list[Delivery]:
    """One catalogue event and its deliveries, written in one transaction as ingest does."""
    with transaction.atomic():
        event = make_event(pbx, trigger, **kwargs)
        created = deliveries_create(events=[event])
    deliveries = list(Delivery.objects.filter(event=event).order_by("pk"))
    assert len(deliveries) == created
    return deliveries


def run_due(now: datetime | None = None, rounds: int = 20) -> list[str]:
    """What the workers would do: run the pump of every endpoint with due deliveries until none
    is left that can go; the new statuses of the deliveries attempted, sorted."""
    now = now or timezone.now()
    outcomes = []
    for _ in range(rounds):
        endpoint_ids = list(endpoints_with_due(now=now))
        results = [endpoint_pump(endpoint_id=pk, now=now) for pk in endpoint_ids]
        outcomes += [status for result in results for status in result.outcomes.elements()]
        if not any(result.sent for result in results):
            break
    return sorted(outcomes)


def later(**kwargs) -> datetime:
    return timezone.now() + timedelta(**kwargs)
