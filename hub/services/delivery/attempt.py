"""One attempt of one delivery: claim, sign the frozen request, send, record, wake the next."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hub.models import Delivery, WebhookEndpoint
from hub.services.delivery.claim import delivery_claim
from hub.services.delivery.config import allow_networks, secret_headers, signing_secrets
from hub.services.delivery.enqueue import deliveries_enqueue
from hub.services.delivery.outcome import Decision, outcome_record
from hub.services.delivery.queue import call_successor_id, next_due_ids
from integrations.delivery import RenderedRequest, SendResult, send, sign_request


def signed_request(*, delivery: Delivery, endpoint: WebhookEndpoint, now: datetime,
                   timestamp: datetime | None = None) -> RenderedRequest:
    """The frozen request plus this attempt's secrets and signature (fresh timestamp, same id):
    signed by every secret alive at ``now``, stamped with ``timestamp`` (default: ``now``)."""
    request = RenderedRequest(delivery.method, delivery.url, {**delivery.headers, **secret_headers(endpoint)},
                              bytes(delivery.body))
    secrets = signing_secrets(endpoint_id=endpoint.pk, now=now)
    return sign_request(request, secrets, delivery.message_id, int((timestamp or now).timestamp()))


def delivery_send(*, delivery: Delivery, endpoint: WebhookEndpoint,
                  now: datetime | None = None) -> tuple[SendResult, Decision]:
    """Send a delivery this caller has claimed (status SENDING) and record the outcome.

    ``now`` (tests, replays) dates the outcome: the retry schedule and health; the signature
    always carries the real time, as receivers check it against their clock.
    """
    started_at = timezone.now()
    request = signed_request(delivery=delivery, endpoint=endpoint, now=now or started_at, timestamp=started_at)
    result = send(request, timeout=endpoint.timeout_seconds, allow_networks=allow_networks())
    decision = outcome_record(delivery=delivery, result=result, started_at=started_at, now=now or timezone.now())
    return result, decision


def woken_after(*, delivery: Delivery, now: datetime) -> list[int]:
    """Who may go now that ``delivery``'s attempt is over: the next event of its call, which
    waited for it, and one more due delivery when another slot is free too.

    At most two, not every free slot's worth: each attempt used to wake all of them, queueing the
    same due ids again and again (14 tasks per delivery in bench/delivery.py, so the worker
    spent its time refusing claims). Deliveries refused for want of a slot get woken this way,
    one per finished attempt, and the sweeper catches anything left over.
    """
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).only("enabled", "max_concurrency").first()
    if endpoint is None or not endpoint.enabled:
        return []
    successor = call_successor_id(delivery=delivery, now=now)
    slots = next_due_ids(endpoint=endpoint, now=now, limit=2)
    woken = ([successor] if successor else []) + [pk for pk in slots if pk != successor]
    return woken[:max(len(slots), 1)]  # the successor goes even if a busy endpoint refuses it


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Attempt a delivery if it is due and its turn; returns its new status, None if not attempted.

    Afterwards the deliveries it held up are enqueued (see ``woken_after``).
    """
    delivery = delivery_claim(delivery_id=delivery_id, now=now or timezone.now())
    if delivery is None:
        return None
    _, decision = delivery_send(delivery=delivery, endpoint=delivery.endpoint, now=now)
    deliveries_enqueue(woken_after(delivery=delivery, now=now or timezone.now()))
    return decision.status
