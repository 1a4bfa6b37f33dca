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
from collections.abc import Iterable
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
