"""The text Prometheus scrapes: this process's counters (or, under gunicorn, every worker
process's, summed from PROMETHEUS_MULTIPROC_DIR), plus the database state on the web process."""
from __future__ import annotations

import os

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from hub.metrics.access import metrics_access_allowed
from hub.metrics.state import DatabaseStateCollector
from hub.net import client_ip


class Scrape:
    """The collectors of one scrape, read in turn (an encoder only calls ``collect()``)."""

    def __init__(self, *, database_state: bool) -> None:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        # Multiprocess mode: the files of every process that wrote to the directory, dead ones too
        # (their counts stay counted); the process's own registry would hold this process's only.
        self.collectors = [MultiProcessCollector(None, path=directory) if directory else REGISTRY]
        if database_state:
            self.collectors.append(DatabaseStateCollector())

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()

    def render(self, accept: str | None) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self), content_type


def refused() -> tuple[int, dict[str, str], bytes]:
    return 401, {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain; charset=utf-8"}, (
        b"metrics: send Authorization: Bearer <METRICS_TOKEN>, or scrape from METRICS_ALLOWED_NETWORKS\n")


_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def scraper_address(request) -> str | None:
    """The client's address, or None for a request relayed by a proxy the hub was not told of
    (TRUSTED_PROXY_IPS): behind nginx on the same host every request comes from 127.0.0.1, and
    loopback must not let the internet read the metrics."""
    address = client_ip(request)
    relayed = any(request.META.get(header) for header in _FORWARDED)
    return None if relayed and address == request.META.get("REMOTE_ADDR") else address


@csrf_exempt  # a scraper has no session: a POST gets 405, not a CSRF page
@require_GET
def metrics(request):
    if not metrics_access_allowed(address=scraper_address(request), authorization=request.headers.get("Authorization")):
        status, headers, body = refused()
        return HttpResponse(body, status=status, headers=headers)
    body, content_type = Scrape(database_state=True).render(request.headers.get("Accept"))
    return HttpResponse(body, content_type=content_type)
