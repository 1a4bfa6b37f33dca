"""An endpoint's pump: claim its due deliveries in batches, send them concurrently, record the
outcomes in bulk, and go on until nothing of it is due.

    endpoint_pump(endpoint_id=…)     the worker's one call per woken endpoint
    endpoints_pump(endpoint_ids=…)   a wake-up shared by several endpoints (one message per commit)

Per delivery this costs a share of four claim statements and of one recording transaction,
instead of a task, a claim and a dozen statements each. The guarantees stay with the database:
claims are conditional updates under the endpoint's row lock (``claim.py``), so two pumps of
one endpoint in two worker processes share its slots and never send a delivery twice; the
call-order rule is part of every claim; a pump that dies leaves SENDING rows that the sweeper
takes back, and PENDING rows that it wakes.

Within one worker process an endpoint has at most one pump: a wake-up for an endpoint whose pump
is running only pokes it (it claims again before it stops), so the broker's messages never pile
up as duplicate pumps. Requests run on the transport's event loop, where one in flight costs a
socket, not a thread: a slow or dead endpoint ties up its own requests (its adaptive limit,
``adaptive.py``, at most its ``max_concurrency``) and its pump, and nothing the other endpoints need.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hub.models import WebhookEndpoint
from hub.services.delivery.adaptive import LIMITS, verdict
from hub.services.delivery.attempt import SendContext, attempt_start
from hub.services.delivery.claim import deliveries_claim, endpoints_with_due, next_retry_at
from hub.services.delivery.enqueue import endpoint_wake_at, endpoints_wake
from hub.services.delivery.outcome import Sent, outcomes_record

logger = logging.getLogger(__name__)

# While sends are in flight, how often to look for due deliveries that no poke announced
# (another process's commits, retries coming due).
POLL_SECONDS = 0.2
# After a response arrives, how long to wait for others to record them together.
LINGER_SECONDS = 0.003
# Secrets and the endpoint's settings are read again this often during a long pump.
CONTEXT_SECONDS = 5.0
# A leaving pump has itself woken when its endpoint's next retry falls due, if that is within
# this horizon: the sweeper alone would send a 5 s retry up to WEBHOOK_SWEEP_SECONDS late, well
# outside its ±20 %. Later retries are left to the sweeper, whose lateness is small beside their
# jitter, and a broker holds no message for long (RabbitMQ closes a channel that holds an
# unacknowledged one for 30 min; Redis hands it to another worker after its visibility timeout).
RETRY_WAKE_HORIZON = timedelta(minutes=10)

@dataclass
class PumpResult:
    outcomes: Counter = field(default_factory=Counter)  # the deliveries' new statuses, counted
    rounds: int = 0  # claims that took something
    poked: bool = False  # another pump of this endpoint was running here: it was poked instead

    @property
    def sent(self) -> int:
        return sum(self.outcomes.values())


class _Pump:
    def __init__(self) -> None:
        self.inbox: queue.SimpleQueue[Sent | None] = queue.SimpleQueue()
        self.poked = False

    def poke(self) -> None:
        self.poked = True
        self.inbox.put(None)


class _Registry:
    """The pumps running in this process, so a wake-up for a running one is only a poke."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, _Pump] = {}

    def enter(self, endpoint_id: int) -> _Pump | None:
        with self._lock:
            running = self._running.get(endpoint_id)
            if running is not None:
                running.poke()
                return None
            pump = self._running[endpoint_id] = _Pump()
            return pump

    def poke(self, endpoint_id: int) -> bool:
        """Poke the endpoint's pump if one runs here; whether one did."""
        with self._lock:
            running = self._running.get(endpoint_id)
            if running is not None:
                running.poke()
            return running is not None

    def leave_unless_poked(self, endpoint_id: int, pump: _Pump) -> bool:
        """Stop being the running pump, unless a poke came since the last claim (then claim again)."""
        with self._lock:
            if pump.poked:
                return False
            self.forget(endpoint_id, pump, locked=True)
            return True

    def forget(self, endpoint_id: int, pump: _Pump, *, locked: bool = False) -> None:
        if not locked:
            with self._lock:
                return self.forget(endpoint_id, pump, locked=True)
        if self._running.get(endpoint_id) is pump:
            del self._running[endpoint_id]


REGISTRY = _Registry()


def _context(endpoint_id: int, now: datetime) -> tuple[SendContext, int] | None:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
    if endpoint is None:
        return None
    return SendContext.load(endpoint, now=now), max(endpoint.max_concurrency, 1)


def endpoint_pump(*, endpoint_id: int, now: datetime | None = None, slice_seconds: float | None = None,
                  idle_seconds: float | None = None) -> PumpResult:
    """Deliver the endpoint's due deliveries until none is left or ``slice_seconds`` (default
    WEBHOOK_PUMP_SLICE_SECONDS) have passed; then, if some are still due, wake it again, so a
    busy endpoint takes its turn behind the others' tasks instead of holding a worker.

    Once nothing is due it waits up to ``idle_seconds`` (default WEBHOOK_PUMP_IDLE_MS) for a
    poke before it stops. ``now`` (tests) fixes the clock of claims and outcomes.
    """
    pump = REGISTRY.enter(endpoint_id)
    if pump is None:
        return PumpResult(poked=True)
    try:
        idle = settings.WEBHOOK_PUMP_IDLE_MS / 1000 if idle_seconds is None else idle_seconds
        return _run(pump, endpoint_id, now, slice_seconds or settings.WEBHOOK_PUMP_SLICE_SECONDS, idle)
    finally:
        REGISTRY.forget(endpoint_id, pump)


def endpoints_pump(*, endpoint_ids: list[int]) -> PumpResult:
    """One wake-up for several endpoints: poke the pumps running here; of the others, pump
    the first in this thread and give each of the rest a task of its own (a pump holds its
    thread while its endpoint has work). Returns the pump's result run here, if any."""
    idle = [endpoint_id for endpoint_id in dict.fromkeys(endpoint_ids) if not REGISTRY.poke(endpoint_id)]
    if not idle:
        return PumpResult(poked=True)
    endpoints_wake(idle[1:], each=True)
    return endpoint_pump(endpoint_id=idle[0])


def _poked_within(pump: _Pump, seconds: float) -> bool:
    try:
        return pump.inbox.get(timeout=seconds) is None  # nothing else can arrive: no request is in flight
    except queue.Empty:
        return False


def _run(pump: _Pump, endpoint_id: int, fixed_now: datetime | None, slice_seconds: float,
         idle_seconds: float) -> PumpResult:
    clock = (lambda: fixed_now) if fixed_now else timezone.now
    result = PumpResult()
    loaded = _context(endpoint_id, clock())
    if loaded is None:
        return result
    context, ceiling = loaded
    limiter = LIMITS.get(endpoint_id, ceiling)
    loaded_at = started = time.monotonic()
    in_flight, claim, ending, finished = 0, True, False, []
    while True:
        if claim and not ending and time.monotonic() - loaded_at > CONTEXT_SECONDS:
            loaded, loaded_at = _context(endpoint_id, clock()), time.monotonic()
            if loaded is None:  # disabled meanwhile: finish what is in flight, claim no more
                ending = True
            else:
                context, ceiling = loaded
                limiter.set_ceiling(ceiling)
        for done in finished:  # the adaptive limit learns from each answer, in the order they came
            limiter.observe(seconds=done.result.duration_ms / 1000, kind=verdict(done.result), in_flight=in_flight)
        concurrency = limiter.current
        claim = claim and not ending and in_flight - len(finished) < concurrency
        batch = []
        if finished or claim:
            if claim:
                pump.poked = False  # before the claim: a poke after this point makes it claim again
            # One transaction, one commit: the finished attempts' outcomes and the next claim.
            with transaction.atomic():
                if finished:
                    decisions = outcomes_record(sent=finished, now=clock())
                    in_flight -= len(finished)
                    result.outcomes.update(d.status for d in decisions)
                    if any(d.disable_endpoint for d in decisions):  # a 410: claim nothing more
                        ending, claim = True, False
                if claim:
                    batch = deliveries_claim(endpoint_id=endpoint_id, now=clock(), limit=concurrency - in_flight)
            for delivery in batch:  # sent only once the claim is committed
                attempt_start(delivery, context).add_done_callback(lambda done: pump.inbox.put(done.result()))
            in_flight += len(batch)
            result.rounds += bool(batch)
            finished, claim = [], False
        if time.monotonic() - started > slice_seconds:
            ending = True
        if not in_flight:
            if ending:
                break
            # Idle: wait a moment for a poke before leaving, so steady traffic finds the pump
            # running (a poke costs nothing; a new pump reads the endpoint and its secrets).
            if idle_seconds > 0 and _poked_within(pump, idle_seconds):
                claim = True
                continue
            if REGISTRY.leave_unless_poked(endpoint_id, pump):
                _wake_for_next_retry(endpoint_id, clock())
                return result
            claim = True
            continue
        try:
            item = pump.inbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            claim = True  # look for what no poke announced: other processes' commits, retries now due
            continue
        if item is None:  # a poke: new work is committed, claim it now rather than linger
            claim = True
            continue
        # Take what finishes within LINGER_SECONDS of the first: one recording (and one commit)
        # for all of it, instead of a round per response.
        linger_until = time.monotonic() + LINGER_SECONDS
        while True:
            if item is not None:
                finished.append(item)
            if len(finished) >= in_flight:
                break
            try:
                item = pump.inbox.get(timeout=max(linger_until - time.monotonic(), 0))
            except queue.Empty:
                break
        claim = True
    # The slice is over (or the endpoint was disabled): let the others' tasks go first. Leave
    # before looking, so a delivery committed after the look finds no pump here and wakes one.
    REGISTRY.forget(endpoint_id, pump)
    if endpoints_with_due(now=clock()).filter(endpoint_id=endpoint_id).exists():
        endpoints_wake([endpoint_id])
    _wake_for_next_retry(endpoint_id, clock())
    return result


def _wake_for_next_retry(endpoint_id: int, now: datetime) -> None:
    at = next_retry_at(endpoint_id=endpoint_id, after=now, until=now + RETRY_WAKE_HORIZON)
    if at is not None:
        endpoint_wake_at(endpoint_id, at, now=now)
