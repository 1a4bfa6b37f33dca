"""The test button: the catalogue's sample payload through the real path, answered synchronously."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.errors import InvalidInput
from hub.models import DeliveryStatus, WebhookEndpoint
from hub.services.delivery.attempt import delivery_send
from hub.services.delivery.config import endpoint_config
from hub.services.delivery.create import delivery_row
from integrations.delivery import render


@dataclass(frozen=True)
class WebhookTestResult:
    delivery_id: int
    message_id: str
    delivered: bool
    status_code: int | None
    latency_ms: int
    response_body: str
    error_class: str
    error_message: str
    request_headers: dict
    method: str
    url: str


def webhook_test(*, endpoint: WebhookEndpoint, trigger: str) -> WebhookTestResult:
    """Send ``trigger``'s sample now (dialect, token, signature, SSRF guard, attempt log).

    Stored as a test delivery, never retried, not counted in the endpoint's health; the wait
    is bounded by the endpoint's timeout.
    """
    if trigger not in CATALOGUE:
        raise InvalidInput("trigger", f"unknown trigger {trigger!r}")
    request = render(trigger, dict(CATALOGUE[trigger].sample), endpoint_config(endpoint))
    if request is None:
        raise InvalidInput("trigger", f"the {endpoint.dialect} dialect sends nothing for {trigger}"
                           + (" (its event path is empty)" if endpoint.dialect == "3cx-to-rest" else ""))
    now = timezone.now()
    delivery = delivery_row(endpoint=endpoint, request=request, trigger=trigger, now=now, is_test=True,
                            status=DeliveryStatus.SENDING, claimed_at=now)
    delivery.save()
    result, decision = delivery_send(delivery=delivery, endpoint=endpoint)
    return WebhookTestResult(
        delivery_id=delivery.pk, message_id=delivery.message_id, delivered=decision.status == DeliveryStatus.DELIVERED,
        status_code=result.status_code, latency_ms=result.duration_ms, response_body=result.response_body,
        error_class=result.error_class or "", error_message=result.error_message,
        request_headers=dict(result.request_headers_masked), method=delivery.method, url=delivery.url,
    )
