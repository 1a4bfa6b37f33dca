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
