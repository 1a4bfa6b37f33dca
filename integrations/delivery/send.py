"""send(): one attempt, never raising (saleor's rule): the caller branches on the result."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from .errors import TransportError
from .masking import masked_headers
from .request import RenderedRequest
from .result import SendResult
from .ssrf import Network, parse_networks
from .transport import Transport

logger = logging.getLogger(__name__)

# Kept for the attempt log and the retry policy; the rest of a receiver's headers is noise.
KEPT_RESPONSE_HEADERS = ("Retry-After", "Location", "Content-Type")

DEFAULT_TRANSPORT = Transport()


def send(
    request: RenderedRequest, *, timeout: float, allow_networks: Iterable[str | Network] = (),
    transport: Transport | None = None,
) -> SendResult:
    started = time.monotonic()
    masked = masked_headers(request.headers)

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        response = (transport or DEFAULT_TRANSPORT).request(
            request, timeout=timeout, allow_networks=parse_networks(allow_networks))
    except TransportError as exc:
        return SendResult(None, elapsed(), error_class=exc.error_class, error_message=exc.message,
                          resolved_ip=exc.resolved_ip, request_headers_masked=masked)
    except Exception as exc:  # a bug of ours must not kill the worker's loop
        logger.exception("webhook send failed unexpectedly")
        return SendResult(None, elapsed(), error_class="internal", error_message=repr(exc),
                          request_headers_masked=masked)
    kept = {name: response.headers[name] for name in KEPT_RESPONSE_HEADERS if name in response.headers}
    return SendResult(
        response.status_code, elapsed(),
        response_body=response.body.decode("utf-8", errors="replace"),
        response_headers=kept, error_message=response.read_error or "",
        resolved_ip=response.resolved_ip, request_headers_masked=masked,
        response_truncated=response.truncated,
    )
