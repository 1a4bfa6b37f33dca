"""Sending claimed deliveries: sign the frozen request with the endpoint's live secrets, send it.

    delivery_attempt(delivery_id=…)   one delivery through the whole path (tests, tools)

The workers do not come here one delivery at a time: an endpoint's pump (``pump.py``) claims,
sends and records its deliveries in batches with the same functions.
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from hub.models import Delivery, WebhookEndpoint
from hub.services.delivery.claim import delivery_claim
from hub.services.delivery.config import allow_networks, secret_headers, signing_secrets
from hub.services.delivery.enqueue import endpoints_wake
from hub.services.delivery.outcome import Decision, Sent, outcome_record
from integrations.delivery import RenderedRequest, SendResult, send_later, sign_request


@dataclass(frozen=True)
class SendContext:
    """What every send to one endpoint needs besides the frozen request; read once per pump
    round, so a rotation or a new token reaches the next round."""
    secret_headers: dict[str, str]
    signing_secrets: list[str]
    timeout: float
    allow_networks: tuple

    @classmethod
    def load(cls, endpoint: WebhookEndpoint, *, now: datetime) -> SendContext:
        return cls(secret_headers(endpoint), signing_secrets(endpoint_id=endpoint.pk, now=now),
                   endpoint.timeout_seconds, tuple(allow_networks()))


def signed_request(*, delivery: Delivery, context: SendContext, timestamp: datetime) -> RenderedRequest:
    """The frozen request plus this attempt's secrets and signature (fresh timestamp, same id)."""
    request = RenderedRequest(delivery.method, delivery.url, {**delivery.headers, **context.secret_headers},
                              bytes(delivery.body))
    return sign_request(request, context.signing_secrets, delivery.message_id, int(timestamp.timestamp()))


def attempt_start(delivery: Delivery, context: SendContext) -> Future:
    """Start one request; the future's result is its Sent (never an exception). Thread-safe:
    the request runs on the transport's event loop, the caller goes on."""
    started_at = timezone.now()
    sent: Future = Future()
    try:
        request = signed_request(delivery=delivery, context=context, timestamp=started_at)
    except Exception as exc:  # e.g. a corrupt stored secret: recorded, and retried like any failure
        sent.set_result(Sent(delivery, SendResult(None, 0, error_class="internal", error_message=repr(exc)[:1000]),
                             started_at))
        return sent
    sending = send_later(request, timeout=context.timeout, allow_networks=context.allow_networks)
    sending.add_done_callback(lambda done: sent.set_result(Sent(delivery, done.result(), started_at)))
    return sent


def attempt_send(delivery: Delivery, context: SendContext) -> Sent:
    return attempt_start(delivery, context).result()


def delivery_send(*, delivery: Delivery, endpoint: WebhookEndpoint,
                  now: datetime | None = None) -> tuple[SendResult, Decision]:
    """Send a delivery this caller has claimed (status SENDING) and record the outcome.

    ``now`` (tests, replays) dates the outcome: the retry schedule and health; the signature
    always carries the real time, as receivers check it against their clock.
    """
    sent = attempt_send(delivery, SendContext.load(endpoint, now=now or timezone.now()))
    return sent.result, outcome_record(delivery=delivery, result=sent.result, started_at=sent.started_at,
                                       now=now or timezone.now())


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Attempt a delivery if it is due and its turn; returns its new status, None if not attempted.

    Afterwards its endpoint's pump is woken: the attempt may have let the call's next event go.
    """
    delivery = delivery_claim(delivery_id=delivery_id, now=now or timezone.now())
    if delivery is None:
        return None
    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    _, decision = delivery_send(delivery=delivery, endpoint=endpoint, now=now)
    endpoints_wake([delivery.endpoint_id])
    return decision.status
