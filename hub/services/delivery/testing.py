"""The test button: the catalogue's sample payload (or the admin's edit of it) through the real
path, answered synchronously, and noted in the audit log."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.errors import InvalidInput
from hub.models import DeliveryStatus, WebhookEndpoint
from hub.services.delivery.attempt import delivery_send
from hub.services.delivery.config import endpoint_config
from hub.services.delivery.create import delivery_row
from hub.services.audit import audit_record
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
    request_body: str = ""
    response_headers: Mapping[str, str] | None = None


def _render(trigger: str, payload: Mapping[str, Any], endpoint: WebhookEndpoint):
    try:
        return render(trigger, dict(payload), endpoint_config(endpoint))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # An edited payload may lack what the endpoint's format reads; say so instead of failing.
        raise InvalidInput("payload", f"the {endpoint.get_dialect_display()} format cannot send this payload "
                                      f"({type(exc).__name__}: {exc}); start again from the sample") from None


def webhook_test(*, endpoint: WebhookEndpoint, trigger: str, payload: Mapping[str, Any] | None = None,
                 actor: str = "", user=None) -> WebhookTestResult:
    """Send ``trigger``'s sample, or ``payload`` in its place, now (dialect, token, signature,
    SSRF guard, attempt log).

    Stored as a test delivery, never retried, not counted in the endpoint's health; the wait
    is bounded by the endpoint's timeout.
    """
    if trigger not in CATALOGUE:
        raise InvalidInput("trigger", f"unknown trigger {trigger!r}")
    if payload is not None and not isinstance(payload, Mapping):
        raise InvalidInput("payload", "must be a JSON object, like the sample")
    edited = payload is not None and dict(payload) != dict(CATALOGUE[trigger].sample)
    request = _render(trigger, CATALOGUE[trigger].sample if payload is None else payload, endpoint)
    if request is None:
        raise InvalidInput("trigger", f"the {endpoint.dialect} dialect sends nothing for {trigger}"
                           + (" (its event path is empty)" if endpoint.dialect == "3cx-to-rest" else ""))
    now = timezone.now()
    delivery = delivery_row(endpoint=endpoint, request=request, trigger=trigger, now=now, is_test=True,
                            status=DeliveryStatus.SENDING, claimed_at=now)
    delivery.save()
    result, decision = delivery_send(delivery=delivery, endpoint=endpoint)
    answer = f"HTTP {result.status_code}" if result.status_code is not None else result.error_class or "no answer"
    audit_record(account_id=endpoint.account_id, actor=actor, user=user, action="webhook.test_sent", obj=endpoint,
                 object_type="webhook", summary=f"sent a test {trigger} request ({'edited' if edited else 'sample'} "
                                                f"payload) to {delivery.url}: {answer}")
    return WebhookTestResult(
        delivery_id=delivery.pk, message_id=delivery.message_id, delivered=decision.status == DeliveryStatus.DELIVERED,
        status_code=result.status_code, latency_ms=result.duration_ms, response_body=result.response_body,
        error_class=result.error_class or "", error_message=result.error_message,
        request_headers=dict(result.request_headers_masked), method=delivery.method, url=delivery.url,
        request_body=bytes(delivery.body or b"").decode("utf-8", "replace"),
        response_headers=dict(result.response_headers),
    )
