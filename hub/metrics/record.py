"""What the services report, once per batch: a labelled child costs a lock and a dict lookup,
so the ingest path (some 20,000 lines a second) counts per batch and never per line."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import attrgetter

from hub.metrics import families as m
from hub.metrics.guard import never_raises


_SOURCE, _TRIGGER = attrgetter("source"), attrgetter("trigger")


def events_per_source(events: list) -> Counter:
    return Counter(map(_SOURCE, events))  # no Python frame per event


def ingest_batch_record(*, pbx_id: int, events: list, per_source: Mapping) -> None:
    """``events``: the batch's new PbxEvents, oldest first, ``per_source`` their count per source
    (events_per_source)."""
    for source, count in per_source.items():
        m.INGEST_EVENTS.labels(str(pbx_id), str(source)).inc(count)
    now, seen = time.time(), set()
    for event in reversed(events):  # the newest of each source; a batch mostly has one source
        if event.source not in seen:
            seen.add(event.source)
            m.INGEST_LAG.labels(str(event.source)).observe(max(0.0, now - event.occurred_at.timestamp()))
            if len(seen) == len(per_source):
                break


@never_raises  # runs on commit: an error here would reach the committer
def catalogue_events_record(catalogue_events: Iterable) -> None:
    for trigger, count in Counter(map(_TRIGGER, catalogue_events)).items():
        m.CATALOGUE_EVENTS.labels(trigger).inc(count)


def lines_skipped_record(*, source: str, skipped: Mapping[str, int]) -> None:
    for reason, count in skipped.items():
        if count:
            m.INGEST_LINES_SKIPPED.labels(source, reason).inc(count)


def _per_endpoint(metric, endpoint_id: int, *labels: str):
    """The metric's child for these labels, and the endpoint's when METRICS_ENDPOINT_LABELS is on."""
    labels += (str(endpoint_id),) if m.ENDPOINT_LABELS else ()
    return metric.labels(*labels) if labels else metric


def attempt_record(*, endpoint_id: int, duration_seconds: float) -> None:
    _per_endpoint(m.ATTEMPT_DURATION, endpoint_id).observe(duration_seconds)


def delivery_outcome_record(*, endpoint_id: int, outcome: str, receipt_seconds: float | None = None) -> None:
    """``outcome``: delivered, failed or retry; ``receipt_seconds`` for a delivered one."""
    if outcome == "retry":
        _per_endpoint(m.DELIVERY_RETRIES, endpoint_id).inc()
        return
    _per_endpoint(m.DELIVERIES, endpoint_id, outcome).inc()
    if receipt_seconds is not None:
        _per_endpoint(m.RECEIPT_LATENCY, endpoint_id).observe(max(0.0, receipt_seconds))


def endpoint_disabled_record(*, reason: str) -> None:
    m.ENDPOINTS_DISABLED.labels(reason).inc()


def click_to_call_record(*, outcome: str, count: int = 1) -> None:
    if count:
        m.CLICK_TO_CALLS.labels(outcome).inc(count)


def http_request_record(*, route: str, method: str, status: int, seconds: float) -> None:
    m.HTTP_REQUESTS.labels(route, method, str(status)).inc()
    m.HTTP_DURATION.labels(route, method).observe(seconds)


def ingest_polled() -> None:
    m.INGEST_LAST_POLL.set(time.time())


def sweep_ran() -> None:
    m.SWEEP_LAST_RUN.set(time.time())
