"""Webhook delivery machinery, pure Python (no DB, no Celery): render, sign, send, decide.

    request = render(trigger, payload, endpoint)            # None: nothing to send
    request = sign_request(request, secrets, msg_id, int(time.time()))
    result = send(request, timeout=10, allow_networks=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
    outcome = classify(result); delay = next_delay(attempt + 1, retry_after=...)
"""
from .dialects import DIALECTS, register, render
from .errors import TransportError
from .headers import RESERVED_HEADERS, USER_AGENT, custom_header_problems
from .masking import masked_headers
from .request import EndpointConfig, RenderedRequest
from .result import SendResult
from .retry import DEFAULT_SCHEDULE, RETRY_AFTER_MAX, Outcome, classify, next_delay, parse_retry_after
from .send import send, send_later
from .signing import new_signing_secret, sign, sign_request, signature_headers
from .ssrf import refusal
from .transport import MAX_RESPONSE_BYTES, Transport

__all__ = [
    "DEFAULT_SCHEDULE", "DIALECTS", "MAX_RESPONSE_BYTES", "RESERVED_HEADERS", "RETRY_AFTER_MAX",
    "USER_AGENT", "EndpointConfig", "Outcome", "RenderedRequest", "SendResult", "Transport",
    "TransportError", "classify", "custom_header_problems", "masked_headers", "new_signing_secret",
    "next_delay", "parse_retry_after", "refusal", "register", "render", "send", "send_later", "sign",
    "sign_request", "signature_headers",
]
