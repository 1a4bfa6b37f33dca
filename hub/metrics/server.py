"""The /metrics port of a process that serves no HTTP of its own: the Celery worker and the
ingest process (METRICS_WORKER_PORT, METRICS_INGEST_PORT; 0 turns it off)."""
from __future__ import annotations

import logging
import socket
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from hub.metrics.access import metrics_access_allowed
from hub.metrics.exposition import Scrape, refused

logger = logging.getLogger(__name__)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape in progress never holds the process at exit


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 — the base class's name
        pass  # one line per scrape every 15 s says nothing


def _app(environ, start_response):
    if environ.get("PATH_INFO", "/") not in ("/", "/metrics"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: the metrics are at /metrics\n"]
    if not metrics_access_allowed(address=environ.get("REMOTE_ADDR", ""),
                                  authorization=environ.get("HTTP_AUTHORIZATION")):
        status, headers, body = refused()
        start_response(f"{status} Unauthorized", list(headers.items()))
        return [body]
    # The database state is the web process's to report: a second copy here would double it.
    body, content_type = Scrape(database_state=False).render(environ.get("HTTP_ACCEPT"))
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def metrics_server_start(*, host: str, port: int, process: str) -> WSGIServer | None:
    """Serve /metrics on a daemon thread; None if ``port`` is 0 or taken (the process runs on:
    its work matters more than its counters)."""
    if not port:
        return None
    try:
        server = make_server(host, port, _app, server_class=_Server6 if ":" in host else _Server,
                             handler_class=_QuietHandler)
    except OSError as exc:
        logger.warning("%s: metrics not served on %s:%s: %s", process, host, port, exc)
        return None
    threading.Thread(target=server.serve_forever, name=f"{process}-metrics", daemon=True).start()
    logger.info("%s: metrics on http://%s:%s/metrics", process, host, server.server_port)
    return server
