"""The fast path: wake an endpoint's pump once its deliveries are committed. The sweeper is the
safety net: a lost message only delays deliveries until its next run.

Tasks carry endpoint ids, not delivery ids: one pump claims whatever of its endpoint is due,
so one message per transaction is enough however many rows and endpoints it wrote. Several
endpoints share one message (``hub.deliver_endpoints``): a publish is a broker round trip
and most of Celery's send cost, and in steady traffic the pumps are running and only need
a poke, which the worker gives all of them from the one task.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

DELIVER_ENDPOINT_TASK = "hub.deliver_endpoint"
DELIVER_ENDPOINTS_TASK = "hub.deliver_endpoints"
# One quick reconnect (a restarted broker leaves a dead connection in the pool), then give up:
# ingest must not stall on a broker outage, and the sweeper catches up once it is back.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def endpoints_wake(endpoint_ids: Iterable[int], *, each: bool = False) -> None:
    """Publish one task for these endpoints' pumps (``each``: one task per endpoint, for pumps
    to start in parallel); a broker outage is logged, never raised."""
    ids = sorted(set(endpoint_ids))
    if not ids:
        return
    if each or len(ids) == 1:
        messages = [(DELIVER_ENDPOINT_TASK, [endpoint_id]) for endpoint_id in ids]
    else:
        messages = [(DELIVER_ENDPOINTS_TASK, [ids])]
    try:
        with current_app.producer_or_acquire() as producer:
            for name, args in messages:
                current_app.send_task(name, args=args, producer=producer, retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker is down: the rows are safe, the sweeper wakes them
        logger.warning("could not wake %d endpoints; the sweeper will", len(ids), exc_info=True)


def endpoints_wake_on_commit(endpoint_ids: Iterable[int]) -> None:
    ids = set(endpoint_ids)
    if ids:
        transaction.on_commit(partial(endpoints_wake, ids), robust=True)


class _Scheduled:
    """The retry wake-ups this process has published and that have not fired yet, one per endpoint,
    so that a pump leaving again and again does not publish one each time for the same retry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[int, datetime] = {}

    def take(self, endpoint_id: int, at: datetime, *, now: datetime) -> bool:
        """Whether to publish a wake-up at ``at``: not when one already published fires by then."""
        with self._lock:
            scheduled = self._at.get(endpoint_id)
            if scheduled is not None and now < scheduled <= at:
                return False
            self._at[endpoint_id] = at
            return True


SCHEDULED = _Scheduled()


def endpoint_wake_at(endpoint_id: int, at: datetime, *, now: datetime) -> None:
    """Publish the endpoint's pump to run at ``at``, when a retry falls due (a broker ETA); a
    broker outage is logged, never raised, and the sweeper wakes the retry a little later."""
    if not SCHEDULED.take(endpoint_id, at, now=now):
        return
    try:
        current_app.send_task(DELIVER_ENDPOINT_TASK, args=[endpoint_id], eta=at, retry=True,
                              retry_policy=RETRY_POLICY)
    except Exception:
        logger.warning("could not schedule endpoint %d's retry; the sweeper will wake it", endpoint_id,
                       exc_info=True)
