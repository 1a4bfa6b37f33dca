"""Why a delivery has not gone yet, and when it is next tried: the claim's rules (claim.py) read
back for a person. A delivery waits for its endpoint to be enabled, behind an earlier delivery of
the same call (which must settle first), for its next attempt after a failure, or for a worker."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from hub.models import Delivery, DeliveryStatus

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Wait:
    reason: str  # "disabled" | "behind" | "backoff" | "scheduled" | "due" | "sending"
    text: str
    next_try_at: datetime | None = None  # None: as soon as what it waits for has happened
    behind: Delivery | None = None


def _blockers(deliveries: list[Delivery]) -> dict[int, Delivery]:
    """For each delivery of a call, the first open delivery ahead of it in its call's order."""
    chained = [d for d in deliveries if d.call_id and d.status == DeliveryStatus.PENDING]
    if not chained:
        return {}
    ahead = Q()
    for d in chained:
        ahead |= Q(endpoint_id=d.endpoint_id, call_id=d.call_id, sequence__lte=d.sequence)
    candidates = list(Delivery.objects.filter(ahead, status__in=OPEN).defer("body").order_by("sequence", "id"))
    found = {}
    for d in chained:
        first = next((c for c in candidates if c.endpoint_id == d.endpoint_id and c.call_id == d.call_id
                      and (c.sequence, c.pk) < (d.sequence, d.pk)), None)
        if first is not None:
            found[d.pk] = first
    return found


def _when(at: datetime | None) -> str:
    return timezone.localtime(at).strftime("%d %b %H:%M:%S") if at else ""


def _blocker_state(blocker: Delivery, after: datetime | None) -> str:
    if blocker.status == DeliveryStatus.SENDING:
        return "being sent now"
    if not blocker.attempt_count:
        return "not tried yet"
    tries = f"{blocker.attempt_count} failed attempt{'s' if blocker.attempt_count != 1 else ''}"
    return f"{tries}, next at {_when(after)}" if after else f"{tries}, due now"


def _one(d: Delivery, blocker: Delivery | None, now: datetime) -> Wait | None:
    if d.status == DeliveryStatus.SENDING:
        return Wait("sending", "being sent now")
    if d.status != DeliveryStatus.PENDING:
        return None
    if not d.endpoint.enabled:
        return Wait("disabled", "waits for its endpoint to be enabled again")
    if blocker is not None:
        # The blocker's next try, if it is still ahead: this one can go no earlier.
        after = (blocker.next_attempt_at if blocker.status == DeliveryStatus.PENDING and blocker.next_attempt_at
                 and blocker.next_attempt_at > now else None)
        return Wait("behind", f"waits behind an earlier delivery of the same call (#{blocker.pk}, {blocker.trigger}: "
                              f"{_blocker_state(blocker, after)}); it goes once that one is delivered or given up",
                    next_try_at=max(after, d.next_attempt_at) if after and d.next_attempt_at else after, behind=blocker)
    if d.next_attempt_at and d.next_attempt_at > now:
        if d.attempt_count:
            # The last error is the page's to word (webui.delivery_errors), not this text's.
            return Wait("backoff", f"the endpoint is backing off after {d.attempt_count} failed attempt"
                                   f"{'s' if d.attempt_count != 1 else ''}; next try at {_when(d.next_attempt_at)}",
                        next_try_at=d.next_attempt_at)
        return Wait("scheduled", f"first try at {_when(d.next_attempt_at)}", next_try_at=d.next_attempt_at)
    return Wait("due", "due now: a worker sends it within seconds")  # the list says "now", not a past time


def delivery_waits(deliveries: Iterable[Delivery], *, now: datetime | None = None) -> dict[int, Wait]:
    """{delivery id: Wait} for the pending and sending ones among ``deliveries`` (endpoint loaded)."""
    deliveries = list(deliveries)
    now = now or timezone.now()
    blockers = _blockers(deliveries)
    waits = {d.pk: _one(d, blockers.get(d.pk), now) for d in deliveries}
    return {pk: wait for pk, wait in waits.items() if wait is not None}
