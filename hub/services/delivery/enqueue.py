"""The fast path: wake an endpoint's pump once its deliveries are committed. The sweeper is the
safety net: a lost message only delays deliveries until its next run.

Tasks carry endpoint ids, not delivery ids: one pump claims whatever of its endpoint is due,
so one message per endpoint and transaction is enough however many rows the transaction wrote.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from celery import current_app
from django.db import transaction

from hub.models import Delivery

logger = logging.getLogger(__name__)

DELIVER_ENDPOINT_TASK = "hub.deliver_endpoint"
# One quick reconnect (a restarted broker leaves a dead connection in the pool), then give up:
# ingest must not stall on a broker outage, and the sweeper catches up once it is back.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def endpoints_wake(endpoint_ids: Iterable[int]) -> None:
    """Publish one pump task per endpoint; a broker outage is logged, never raised."""
    ids = sorted(set(endpoint_ids))
    if not ids:
        return
    try:
        with current_app.producer_or_acquire() as producer:
            for endpoint_id in ids:
                current_app.send_task(DELIVER_ENDPOINT_TASK, args=[endpoint_id], producer=producer,
                                      retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker is down: the rows are safe, the sweeper wakes them
        logger.warning("could not wake %d endpoints; the sweeper will", len(ids), exc_info=True)


def endpoints_wake_on_commit(endpoint_ids: Iterable[int]) -> None:
    ids = set(endpoint_ids)
    if ids:
        transaction.on_commit(partial(endpoints_wake, ids), robust=True)


def _wake_endpoints_of(delivery_ids: list[int]) -> None:
    endpoints_wake(Delivery.objects.filter(pk__in=delivery_ids).order_by()
                   .values_list("endpoint_id", flat=True).distinct())


def deliveries_enqueue_on_commit(delivery_ids: Iterable[int]) -> None:
    """For callers that hold delivery ids: their endpoints are woken on commit."""
    ids = list(delivery_ids)
    if ids:
        transaction.on_commit(partial(_wake_endpoints_of, ids), robust=True)
