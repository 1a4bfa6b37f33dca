"""The worker's delivery engine: every endpoint this process sends to, on a few scheduler threads.

    ENGINE.wake(endpoint_ids)   what the Celery tasks do: hand the endpoints over and return

(``ENGINE`` is WEBHOOK_ENGINE_THREADS engines, each the one of the endpoints whose id falls to
it: a round's database round trips then hold up only a share of the endpoints.)

The pumps (``pump.py``) hold a worker thread per busy endpoint until its slice ends, so with more
busy endpoints than threads (a hosted hub's thousands, a tail of them slow or hanging) an
endpoint can wait seconds for a thread while its events are due. Here no endpoint holds a
thread. A scheduler thread runs rounds for its share of the endpoints; each round, in one
transaction:

1. records every response that came back since the last round, of any endpoint (the attempt
   rows, the deliveries' next states, each endpoint's health: ``outcomes_record``);
2. claims, for every endpoint that was woken or got an answer back, up to its free slots
   (its adaptive limit, ``adaptive.py``, minus what it has in flight here), in one statement
   for all of them (``deliveries_claim_many``), and no more in all than the thread's room
   (WEBHOOK_ENGINE_MAX_IN_FLIGHT): beyond it deliveries stay pending, for another process or
   for when answers free room, instead of waiting here longer than the sweeper's patience.

The round locks all its endpoints' rows first, in id order, so two processes' rounds (which
write health and claim for overlapping sets of endpoints) never deadlock.

After the commit it starts the claimed requests on the transport's event loop (one loop per
process, where a request in flight costs a socket, not a thread) and waits for the next wake-up
or response. A slow or hanging endpoint thus costs its own sockets and a share of the rounds
it takes part in, and the other endpoints' deliveries go out in the next round: a round's
statements do not multiply with the number of endpoints waiting on receivers.

The guarantees are the claim's and the outcome's, as for the pumps: a delivery is claimed by a
conditional update under its endpoint's row lock (two processes never both send it), only the
first open delivery of each call is ever claimed (per-call order), every attempt is logged,
and a process that dies leaves SENDING rows the sweeper takes back and sends again with the
same webhook-id. Several processes may send to one endpoint at once: its ceiling
(``max_concurrency``) is counted in the database, across them.

New work arrives as wake-ups (the ingest commit's message, the sweeper, a retry's broker ETA
published when the retry is recorded); a response coming back makes its endpoint claim again,
so a busy endpoint needs no messages. ``WEBHOOK_ENGINE=pump`` (settings) switches the tasks
back to the pumps.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hub.logs.context import log_scope
from hub.models import DeliveryStatus, SigningSecret, WebhookEndpoint
from hub.services.delivery.adaptive import LIMITS, AdaptiveLimit, verdict
from hub.services.delivery.attempt import SendContext, attempt_start
from hub.services.delivery.claim import deliveries_claim_many
from hub.services.delivery.config import allow_networks, secret_headers
from hub.services.delivery.enqueue import endpoint_wake_at
from hub.services.delivery.outcome import Sent, outcomes_record
from hub.services.delivery.pump import RETRY_WAKE_HORIZON

logger = logging.getLogger(__name__)

# After the first response of a round arrives, how long to wait for others to record together.
LINGER_SECONDS = 0.003
# An endpoint's settings and secrets are read again when its row changed, and at least this often
# (on PostgreSQL, where the round's lock statement returns the row's updated_at); elsewhere
# every CONTEXT_SECONDS, as the pumps do.
CONTEXT_MAX_SECONDS = 60.0
CONTEXT_SECONDS = 5.0
# An endpoint with nothing in flight is forgotten after this long (its adaptive limit is kept).
FORGET_SECONDS = 60.0
# A round that failed (the database is away) is tried again after this long, doubling to the cap.
RETRY_PAUSE_SECONDS, RETRY_PAUSE_MAX_SECONDS = 0.5, 5.0


@dataclass(slots=True)
class _Endpoint:
    context: SendContext | None
    ceiling: int
    limiter: AdaptiveLimit
    loaded_at: float
    in_flight: int = 0
    enabled: bool = True
    version: object = None  # the row's updated_at when the context was read
    last_active: float = 0.0


def _contexts(endpoint_ids: list[int], now: datetime) -> dict[int, tuple[SendContext, int]]:
    """The enabled ones of these endpoints: send context and ceiling, in two queries for all."""
    endpoints = list(WebhookEndpoint.objects.filter(pk__in=endpoint_ids, enabled=True).only(
        "id", "secret_token", "bearer_token", "timeout_seconds", "max_concurrency"))
    secrets: dict[int, list[str]] = {}
    alive = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    for secret in SigningSecret.objects.filter(alive, endpoint_id__in=[e.pk for e in endpoints]):
        secrets.setdefault(secret.endpoint_id, []).append(secret.secret)  # newest first (Meta.ordering)
    networks = tuple(allow_networks())
    return {e.pk: (SendContext(secret_headers(e), secrets.get(e.pk, []), e.timeout_seconds, networks),
                   max(e.max_concurrency, 1))
            for e in endpoints}


def _lock_endpoints(endpoint_ids: list[int]) -> dict[int, datetime]:
    """Lock the round's endpoint rows up front, in id order. The round writes their health
    (in the order the answers came) and locks them again to claim: without this, two processes'
    rounds could each hold a row the other waits for. The lock is the claim's (NO KEY UPDATE), so
    ingest's inserts of new deliveries (a KEY SHARE on the endpoint) never wait for it. SQLite
    has no row locks: its writers take turns anyway. Returns each row's updated_at (PostgreSQL)."""
    if not endpoint_ids or connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, updated_at FROM {WebhookEndpoint._meta.db_table} WHERE id = ANY(%s) ORDER BY id "
                       "FOR NO KEY UPDATE", [endpoint_ids])
        return dict(cursor.fetchall())


class Engine:
    def __init__(self, *, max_in_flight: int | None = None) -> None:
        self._cond = threading.Condition()
        self._wanted: set[int] = set()
        self._finished: list[Sent] = []
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopping = False
        # The scheduler thread's own state: no lock needed.
        self._endpoints: dict[int, _Endpoint] = {}
        self._deferred: set[int] = set()  # woken, but left for want of room (back-pressure)
        self.rounds = 0
        from django.conf import settings
        self._max_in_flight = max_in_flight or settings.WEBHOOK_ENGINE_MAX_IN_FLIGHT

    # -- from any thread ---------------------------------------------------------------------
    def wake(self, endpoint_ids) -> None:
        """Claim for these endpoints in the next round (starts the scheduler on first use)."""
        ids = set(endpoint_ids)
        if not ids:
            return
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                # First use, or a forked child (Celery prefork) that inherited the object, not the thread.
                self._thread, self._pid, self._stopping = None, os.getpid(), False
                self._endpoints, self._finished, self._deferred = {}, [], set()
                self._thread = threading.Thread(target=self._run, name="delivery-engine", daemon=True)
                self._thread.start()
            self._wanted |= ids
            self._cond.notify()

    def in_flight(self) -> int:
        with self._cond:
            return sum(e.in_flight for e in self._endpoints.values()) - len(self._finished)

    def stop(self, timeout: float = 35.0) -> None:
        """Claim nothing more; wait (up to ``timeout``) for what is in flight to be recorded."""
        self.stop_claiming()
        self.join(timeout)

    def stop_claiming(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()

    def join(self, timeout: float) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    # -- the transport loop's callback -------------------------------------------------------
    def _sent(self, sent: Sent) -> None:
        with self._cond:
            self._finished.append(sent)
            self._cond.notify()

    # -- the scheduler thread ----------------------------------------------------------------
    def _take(self) -> tuple[set[int], list[Sent]] | None:
        with self._cond:
            while not self._wanted and not self._finished:
                if self._stopping and not any(e.in_flight for e in self._endpoints.values()):
                    return None
                self._cond.wait(FORGET_SECONDS if not self._stopping else 0.5)
                if not self._wanted and not self._finished:
                    self._forget_idle()
            if self._finished and not self._wanted:
                # Let the responses that finish together share one round (one commit).
                in_flight = sum(e.in_flight for e in self._endpoints.values())
                if len(self._finished) < in_flight:
                    self._cond.wait(LINGER_SECONDS)
            wanted, finished = self._wanted, self._finished
            self._wanted, self._finished = set(), []
            return wanted, finished

    def _forget_idle(self) -> None:
        cutoff = time.monotonic() - FORGET_SECONDS
        for endpoint_id in [k for k, e in self._endpoints.items() if not e.in_flight and e.last_active < cutoff]:
            del self._endpoints[endpoint_id]

    def _run(self) -> None:
        pause = RETRY_PAUSE_SECONDS
        try:
            while True:
                taken = self._take()
                if taken is None:
                    return
                wanted, finished = taken
                try:
                    # A round is the engine's unit of work, as a task is the pumps': the attempt
                    # lines it records carry its id as their request id (shaped like a task id).
                    with log_scope(request_id=str(uuid.uuid4())):
                        self._round(wanted, finished)
                    pause = RETRY_PAUSE_SECONDS
                except Exception:
                    # Most likely the database is away: keep the responses (their deliveries
                    # stay ours, SENDING, until recorded or taken back by the sweeper) and the
                    # wake-ups, and try again after a pause.
                    logger.warning("delivery engine round failed; trying again in %.1f s", pause, exc_info=True)
                    connection.close()
                    with self._cond:
                        self._wanted |= wanted
                        self._finished[:0] = finished
                    time.sleep(pause)
                    pause = min(pause * 2, RETRY_PAUSE_MAX_SECONDS)
        finally:
            connection.close()

    def _round(self, wanted: set[int], finished: list[Sent]) -> None:
        now, tick = timezone.now(), time.monotonic()
        answered = {s.delivery.endpoint_id for s in finished}
        for s in finished:  # the adaptive limits learn from each answer, in the order they came
            state = self._endpoints.get(s.delivery.endpoint_id)
            if state is not None:
                state.limiter.observe(seconds=s.result.duration_ms / 1000, kind=verdict(s.result),
                                      in_flight=state.in_flight)
        first: set[int] = set()
        if finished and self._deferred:  # answers freed room: the endpoints left waiting go first
            first, self._deferred = self._deferred, set()
        claimers = sorted((wanted | answered | first) if not self._stopping else (),
                          key=lambda k: (k not in first, k))
        returned = Counter(s.delivery.endpoint_id for s in finished)
        claimed: list[tuple[_Endpoint, list]] = []
        with transaction.atomic():
            versions = _lock_endpoints(sorted(answered | set(claimers)))
            stale = [k for k in claimers if self._stale(k, versions, tick)]
            if stale:
                self._load(stale, versions, now, tick)
            if finished:
                decisions = outcomes_record(sent=finished, now=now)
                for s, decision in zip(finished, decisions):
                    state = self._endpoints.get(s.delivery.endpoint_id)
                    if decision.disable_endpoint and state is not None:  # a 410: claim nothing more
                        state.enabled = False
                self._wake_retries(finished, decisions, now)
            slots, deferred = {}, []
            # Back-pressure: no more in flight than this engine can record in time. What is left
            # stays PENDING (another process may take it) and is claimed as answers free room.
            room = self._max_in_flight - (sum(e.in_flight for e in self._endpoints.values()) - len(finished))
            for endpoint_id in claimers:
                state = self._endpoints.get(endpoint_id)
                if state is not None and state.enabled:
                    free = state.limiter.current - (state.in_flight - returned[endpoint_id])
                    if free > 0 and room <= 0:
                        deferred.append(endpoint_id)
                        continue
                    slots[endpoint_id] = min(free, room)
                    room -= max(slots[endpoint_id], 0)
            # One statement for every endpoint's claim (PostgreSQL), under the locks taken above.
            claimed = [(self._endpoints[endpoint_id], batch)
                       for endpoint_id, batch in deliveries_claim_many(slots=slots, now=now).items()]
        self._deferred.update(deferred)
        if deferred and sum(e.in_flight for e in self._endpoints.values()) + sum(
                len(batch) for _, batch in claimed) - len(finished) < self._max_in_flight:
            # The room went to endpoints with less to send than their slots: claim again now
            # (with nothing in flight, no answer would ever bring them back).
            with self._cond:
                self._wanted.update(self._deferred)
            self._deferred.clear()
        # Committed: the answers are recorded, the claims ours.
        for endpoint_id, count in returned.items():
            state = self._endpoints.get(endpoint_id)
            if state is not None:
                state.in_flight -= count
        self.rounds += 1
        for state, batch in claimed:  # sent only once the claims are committed
            state.last_active = tick
            for delivery in batch:
                state.in_flight += 1
                attempt_start(delivery, state.context).add_done_callback(lambda done: self._sent(done.result()))

    def _stale(self, endpoint_id: int, versions: dict, tick: float) -> bool:
        """Whether to read the endpoint's settings and secrets again: on PostgreSQL when its row
        changed (an edit, a new token, a rotated secret all move ``updated_at``) or once a minute
        (a rotated-out secret expiring); elsewhere every CONTEXT_SECONDS, as the pumps do."""
        state = self._endpoints.get(endpoint_id)
        if state is None or not state.enabled:  # a disabled one is looked at again: re-enabled?
            return True
        if endpoint_id in versions:
            return state.version != versions[endpoint_id] or tick - state.loaded_at > CONTEXT_MAX_SECONDS
        return tick - state.loaded_at > CONTEXT_SECONDS

    def _load(self, endpoint_ids: list[int], versions: dict, now: datetime, tick: float) -> None:
        loaded = _contexts(endpoint_ids, now)
        for endpoint_id in endpoint_ids:
            state = self._endpoints.get(endpoint_id)
            if endpoint_id not in loaded:  # gone or disabled: finish what is in flight, claim no more
                if state is not None:
                    state.enabled, state.loaded_at = False, tick
                continue
            context, ceiling = loaded[endpoint_id]
            if state is None:
                state = self._endpoints[endpoint_id] = _Endpoint(context, ceiling, LIMITS.get(endpoint_id, ceiling),
                                                                 tick, last_active=tick)
            state.context, state.ceiling, state.loaded_at, state.enabled = context, ceiling, tick, True
            state.version = versions.get(endpoint_id)
            state.limiter.set_ceiling(ceiling)

    @staticmethod
    def _wake_retries(finished: list[Sent], decisions, now: datetime) -> None:
        """A retry recorded now has its endpoint woken when it falls due (a broker ETA), if that
        is within the horizon; the sweeper wakes later ones. Published after the commit."""
        due: dict[int, datetime] = {}
        for s, decision in zip(finished, decisions):
            at = decision.next_attempt_at
            if decision.status == DeliveryStatus.PENDING and at is not None and at <= now + RETRY_WAKE_HORIZON:
                endpoint_id = s.delivery.endpoint_id
                due[endpoint_id] = min(at, due.get(endpoint_id, at))
        for endpoint_id, at in due.items():
            transaction.on_commit(lambda e=endpoint_id, a=at: endpoint_wake_at(e, a, now=now), robust=True)


class Engines:
    """This process's engines: WEBHOOK_ENGINE_THREADS scheduler threads, each the engine of the
    endpoints whose id falls to it (id modulo the count), so one round's database round trips
    do not hold up the other endpoints' rounds. Endpoints never move between them, so each
    endpoint's in-flight count and adaptive limit stay in one place."""

    def __init__(self, count: int | None = None) -> None:
        self._count = count
        self._engines: list[Engine] | None = None
        self._lock = threading.Lock()

    def _all(self) -> list[Engine]:
        with self._lock:
            if self._engines is None:
                from django.conf import settings
                self._engines = [Engine() for _ in range(self._count or settings.WEBHOOK_ENGINE_THREADS)]
            return self._engines

    def wake(self, endpoint_ids) -> None:
        engines = self._all()
        shares: dict[int, list[int]] = {}
        for endpoint_id in endpoint_ids:
            shares.setdefault(endpoint_id % len(engines), []).append(endpoint_id)
        for index, ids in shares.items():
            engines[index].wake(ids)

    def in_flight(self) -> int:
        return sum(engine.in_flight() for engine in self._all())

    def stop(self, timeout: float = 35.0) -> None:
        """Every engine claims nothing more; wait (up to ``timeout`` in all) for what they have in flight."""
        engines = self._all()
        for engine in engines:
            engine.stop_claiming()
        deadline = time.monotonic() + timeout
        for engine in engines:
            engine.join(max(deadline - time.monotonic(), 0))


ENGINE = Engines()
