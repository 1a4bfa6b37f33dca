"""Adaptive per-endpoint concurrency: how many requests an endpoint is sent at once.

An endpoint's ``max_concurrency`` is the ceiling its account configures (console and API); the
hub does not start there. Each worker process keeps, per endpoint, a limit that moves the way
TCP's congestion window does:

- it starts at ``INITIAL`` (or the ceiling, if lower);
- every answer that comes back in time (2xx/3xx, latency within ``TOLERANCE`` × the endpoint's
  best latency lately, plus ``SLACK_SECONDS``) while the limit is in use grows it: by one per
  answer below the threshold (it doubles every round trip: "slow start"), by one per round
  trip above it;
- an answer that took much longer than the best lately (the receiver is queueing) takes a
  tenth off, once per round trip, and stops slow start there;
- a timeout, a refused or reset connection, 429, 5xx, or any answer with ``Retry-After``
  halves it, once per round trip (a batch of 32 timeouts halves it once, not 32 times);
- other answers (400, 404, 410, a blocked address, a bad certificate) say nothing about load
  and leave it alone.

The limit never exceeds the ceiling, which the claim enforces in the database too (across
worker processes: ``claim.py`` counts the endpoint's SENDING rows under its row lock). Per-call
order is untouched: the claim only ever takes the first open delivery of each call, however
many slots are free. A 200 ms receiver thus gets ceiling / 0.2 s deliveries per second once the
limit has grown (about three seconds from 4 to 256), where a fixed limit of 32 capped it at 160/s.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from integrations.delivery import SendResult

INITIAL = 4
TOLERANCE = 2.0
SLACK_SECONDS = 0.05
# The best latency is measured anew over windows this long, so an endpoint that became slower
# for good is judged against its new normal, not against a morning long gone.
BASELINE_WINDOW_SECONDS = 30.0
# At least this long between two decreases (a round trip, when the best latency is shorter).
MIN_BACKOFF_SECONDS = 0.1

OK, OVERLOAD, NEUTRAL = "ok", "overload", "neutral"
_OVERLOAD_ERRORS = frozenset({"timeout", "connection"})


def verdict(result: SendResult) -> str:
    """What one attempt says about the endpoint's load."""
    if result.status_code is None:
        return OVERLOAD if result.error_class in _OVERLOAD_ERRORS else NEUTRAL
    if result.status_code == 429 or result.status_code >= 500 or "Retry-After" in result.response_headers:
        return OVERLOAD
    return OK if result.status_code < 400 else NEUTRAL


class AdaptiveLimit:
    """One endpoint's limit in this process. Not thread-safe: one pump (or the engine) drives it."""

    def __init__(self, ceiling: int, *, initial: int = INITIAL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(min(max(1, initial), self.ceiling))
        self.threshold = float(self.ceiling)  # slow start below it
        self.best: float | None = None  # the best latency of the last whole window
        self._window_best: float | None = None
        self._clock = clock
        self._window_ends = clock() + BASELINE_WINDOW_SECONDS
        self._calm_from = 0.0  # no decrease before this (once per round trip)

    @property
    def current(self) -> int:
        return max(1, min(self.ceiling, int(self.limit)))

    def set_ceiling(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = min(self.limit, float(self.ceiling))
        self.threshold = min(self.threshold, float(self.ceiling))

    def observe(self, *, seconds: float, kind: str, in_flight: int) -> None:
        """One finished attempt: ``seconds`` it took, its ``verdict``, and how many of the
        endpoint's requests were in flight when it came back (itself included)."""
        now = self._clock()
        if kind == OVERLOAD:
            self._decrease(0.5, now, seconds)
            return
        if kind != OK:
            return
        self._learn(seconds, now)
        if self.best is not None and seconds > self.best * TOLERANCE + SLACK_SECONDS:
            self._decrease(0.9, now, seconds)
            return
        if in_flight < self.current - 1:  # the limit was not what held the endpoint back
            return
        self.limit += 1.0 if self.limit < self.threshold else 1.0 / self.limit
        self.limit = min(self.limit, float(self.ceiling))

    def _learn(self, seconds: float, now: float) -> None:
        if self._window_best is None or seconds < self._window_best:
            self._window_best = seconds
        if self.best is None or seconds < self.best:
            self.best = seconds
        if now >= self._window_ends:
            self.best, self._window_best = self._window_best, None
            self._window_ends = now + BASELINE_WINDOW_SECONDS

    def _decrease(self, factor: float, now: float, seconds: float) -> None:
        if now < self._calm_from:
            return
        self.limit = max(1.0, self.limit * factor)
        self.threshold = self.limit
        self._calm_from = now + max(MIN_BACKOFF_SECONDS, self.best or 0.0, min(seconds, 1.0))


class Limits:
    """The limits of the endpoints this process has sent to, kept between pumps of an endpoint
    (a pump ends every slice; its successor goes on from where the limit stood)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits: dict[int, AdaptiveLimit] = {}

    def get(self, endpoint_id: int, ceiling: int) -> AdaptiveLimit:
        with self._lock:
            limit = self._limits.get(endpoint_id)
            if limit is None:
                limit = self._limits[endpoint_id] = AdaptiveLimit(ceiling)
            elif limit.ceiling != ceiling:
                limit.set_ceiling(ceiling)
            return limit

    def clear(self) -> None:
        with self._lock:
            self._limits.clear()


LIMITS = Limits()
