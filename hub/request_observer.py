"""Per HTTP request: a request id (kept from X-Request-ID when it looks like one, and sent back),
its count and latency per route name in the metrics, and one log line."""
from __future__ import annotations

import logging
import time

from hub.logs.context import log_scope, request_id_from
from hub.metrics.record import http_request_record

logger = logging.getLogger("hub.request")

# Anything else is counted as "other": a client must not mint label values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(request) -> str:
    """The URL pattern's name (its route where it has none), never the path: a push URL carries
    its PBX's token, and paths with ids would make a series per call."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestObserverMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        started = time.perf_counter()
        with log_scope(request_id=request_id):
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route, method = route_name(request), request.method if request.method in _METHODS else "other"
            http_request_record(route=route, method=method, status=response.status_code, seconds=seconds)
            logger.info("request", extra={"fields": {"method": method, "route": route, "status": response.status_code,
                                                     "duration_ms": round(seconds * 1000, 1)}})
        response["X-Request-ID"] = request_id
        return response
