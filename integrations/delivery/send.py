"""send(): one attempt, never raising (saleor's rule): the caller branches on the result.

    result = send(request, timeout=10, allow_networks=…)            # waits
    future = send_later(request, timeout=10, allow_networks=…)      # concurrent.futures.Future
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from concurrent.futures import Future

from .errors import TransportError
from .masking import masked_headers
from .request import RenderedRequest
from .result import SendResult
from .ssrf import Network, parse_networks
from .transport import Response, Transport

logger = logging.getLogger(__name__)

# The retry policy reads these by their canonical names, whatever case the receiver used.
POLICY_HEADERS = {name.lower(): name for name in ("Retry-After", "Location", "Content-Type")}
# The attempt log keeps the receiver's headers for the admin; a bound keeps a hostile one small.
MAX_RESPONSE_HEADERS = 50
MAX_HEADER_VALUE = 1000

DEFAULT_TRANSPORT = Transport()


def _result(future: Future, masked, started: float) -> SendResult:
    elapsed = int((time.monotonic() - started) * 1000)
    try:
        response: Response = future.result()
    except TransportError as exc:
        return SendResult(None, elapsed, error_class=exc.error_class, error_message=exc.message,
                          resolved_ip=exc.resolved_ip, request_headers_masked=masked)
    except (Exception, asyncio.CancelledError) as exc:  # a bug of ours must not kill the caller's loop
        logger.error("webhook send failed unexpectedly", exc_info=exc)
        return SendResult(None, elapsed, error_class="internal", error_message=repr(exc)[:1000],
                          request_headers_masked=masked)
    kept = _kept_headers(response.headers)
    return SendResult(
        response.status_code, elapsed,
        response_body=response.body.decode("utf-8", errors="replace"),
        response_headers=kept, error_message=response.read_error or "",
        resolved_ip=response.resolved_ip, request_headers_masked=masked,
        response_truncated=response.truncated,
    )


def _kept_headers(headers) -> dict[str, str]:
    """The response's headers for the log (secrets masked, as on requests), policy ones by canonical name."""
    kept: dict[str, str] = {}
    for name, value in list(headers.items())[:MAX_RESPONSE_HEADERS]:
        name = POLICY_HEADERS.get(name.lower(), name)
        kept[name] = f"{kept[name]}, {value}" if name in kept else str(value)[:MAX_HEADER_VALUE]
    return masked_headers(kept)


def send_later(
    request: RenderedRequest, *, timeout: float, allow_networks: Iterable[str | Network] = (),
    transport: Transport | None = None,
) -> Future:
    """Start the request; the returned future's result is its SendResult (it never fails)."""
    started = time.monotonic()
    masked = masked_headers(request.headers)
    outcome: Future = Future()
    try:
        sending = (transport or DEFAULT_TRANSPORT).submit(request, timeout=timeout,
                                                          allow_networks=parse_networks(allow_networks))
    except Exception as exc:  # e.g. an allowlist entry that is not a network
        sending = Future()
        sending.set_exception(exc)
    # Runs on the transport's loop thread when the request ends (at once if it already has).
    sending.add_done_callback(lambda done: outcome.set_result(_result(done, masked, started)))
    return outcome


def send(
    request: RenderedRequest, *, timeout: float, allow_networks: Iterable[str | Network] = (),
    transport: Transport | None = None,
) -> SendResult:
    return send_later(request, timeout=timeout, allow_networks=allow_networks, transport=transport).result()
