"""The fast path: wake a worker once a delivery's row is committed. The sweeper is the safety net."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

DELIVER_TASK = "hub.deliver"
# One quick reconnect (a restarted broker leaves a dead connection in the pool), then give up:
# ingest must not stall on a broker outage, and the sweeper catches up once it is back.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def deliveries_enqueue(ids: Iterable[int]) -> None:
    """Publish one task per id; a broker outage is logged, never raised (the sweeper catches up)."""
    ids = list(ids)
    if not ids:
        return
    try:
        with current_app.producer_or_acquire() as producer:
            for delivery_id in ids:
                current_app.send_task(DELIVER_TASK, args=[delivery_id], producer=producer,
                                      retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker is down: the rows are safe, the sweeper re-enqueues them
        logger.warning("could not enqueue %d deliveries; the sweeper will", len(ids), exc_info=True)


def deliveries_enqueue_on_commit(ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids:
        transaction.on_commit(partial(deliveries_enqueue, ids), robust=True)
