"""Gauges that are database state, read when Prometheus scrapes (one cheap query each) rather
than kept in a process's memory, where each gunicorn or worker process would hold its own idea.

Only the web process's /metrics carries them, so the hub reports each once.
"""
from __future__ import annotations

import logging

from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from hub.models import Delivery, DeliveryStatus, WebhookEndpoint

logger = logging.getLogger(__name__)

HEALTH_STATES = ("healthy", "failing", "disabled")


def _due(now) -> tuple[int, float]:
    """How many deliveries are due (pending, their next attempt time passed) and how long the
    oldest has waited; on the (status, next_attempt_at) index. A disabled endpoint's deliveries
    wait for an operator, not for the workers: they are its state (hub_endpoints), not backlog."""
    row = (Delivery.objects.filter(status=DeliveryStatus.PENDING, is_test=False, next_attempt_at__lte=now,
                                   endpoint__enabled=True)
           .aggregate(count=Count("id"), oldest=Min("next_attempt_at")))
    age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
    return row["count"], max(age, 0.0)


def _health() -> dict[str, int]:
    """Endpoints per state: disabled; failing (enabled, its last attempts failed); healthy."""
    counts = WebhookEndpoint.objects.aggregate(
        disabled=Count("id", filter=Q(enabled=False)),
        failing=Count("id", filter=Q(enabled=True, consecutive_failures__gt=0)),
        healthy=Count("id", filter=Q(enabled=True, consecutive_failures=0)))
    return {state: counts[state] for state in HEALTH_STATES}


class DatabaseStateCollector:
    def collect(self):
        try:
            count, age = _due(timezone.now())
            health = _health()
        except DatabaseError:
            # A scrape during a database outage reports the processes' counters without these.
            logger.warning("metrics: database state unavailable", exc_info=True)
            return
        due = GaugeMetricFamily("hub_deliveries_due",
                                "Deliveries to enabled endpoints whose next attempt time has come")
        due.add_metric([], count)
        yield due
        oldest = GaugeMetricFamily("hub_deliveries_oldest_due_age_seconds",
                                   "How long the oldest due delivery has waited past its attempt time (0: none due)")
        oldest.add_metric([], age)
        yield oldest
        endpoints = GaugeMetricFamily("hub_endpoints", "Webhook endpoints per health state", labels=["state"])
        for state in HEALTH_STATES:
            endpoints.add_metric([state], health[state])
        yield endpoints
