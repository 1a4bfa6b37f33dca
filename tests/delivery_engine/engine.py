"""Helpers for the engine tests: catalogue events as ingest writes them, and driving the engine."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.db import transaction
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.models import Call, CatalogueEvent, Delivery
from hub.services.delivery import deliveries_create, delivery_attempt
from hub.services.delivery.claim import due

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
        return deliveries_create(events=[make_event(pbx, trigger, **kwargs)])


def run_due(now: datetime | None = None, rounds: int = 20) -> list[str | None]:
    """What the workers would do: attempt every due delivery until none is left that can go."""
    now = now or timezone.now()
    outcomes = []
    for _ in range(rounds):
        ids = list(due(now=now).order_by("next_attempt_at", "id").values_list("pk", flat=True))
        done = [delivery_attempt(delivery_id=pk, now=now) for pk in ids]
        outcomes += [d for d in done if d is not None]
        if not any(d is not None for d in done):
            break
    return outcomes


def later(**kwargs) -> datetime:
    return timezone.now() + timedelta(**kwargs)
