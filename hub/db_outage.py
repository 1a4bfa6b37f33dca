"""What the long-running processes do when the database goes away: wait for it, never exit.

A restart, failover or network blip of PostgreSQL surfaces as ``OperationalError`` (the server
closed the connection, refused a new one, or shut down mid-query) or ``InterfaceError`` (the
connection object was already closed). Both leave nothing half-written — the transaction is
rolled back — so the work that hit them can simply run again once the database answers.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Sleeps between retries grow 1, 2, 4 s up to this: a process is back within a few seconds of
# the database, and a long outage costs one log line and one connection attempt per interval.
MAX_RETRY_SECONDS = 5.0
# What a request refused for an outage is told to wait before its retry (503 Retry-After): long
# enough for a database restart or failover, short enough that a PBX's retry of a push comes
# soon after the database is back. Push streams are held this long after an outage and their
# lateness allowance beyond (hub.services.outages).
RETRY_AFTER_SECONDS = 15

T = TypeVar("T")


class _Noted:
    """The first database failure this process saw since it last recorded an outage: kept in
    memory while the database is down, written to it once it answers again
    (hub.services.outages.outage_record_pending)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failed_at = None

    def failed(self, now=None) -> None:
        if self.failed_at is None:
            with self._lock:
                if self.failed_at is None:
                    self.failed_at = now or timezone.now()

    def forget(self, failed_at) -> None:
        """Recorded: a failure noted after ``failed_at`` (another one) is kept."""
        with self._lock:
            if self.failed_at == failed_at:
                self.failed_at = None


NOTED = _Noted()


def database_failure_noted(now=None) -> None:
    """This process found the database unavailable: the outage is recorded once it answers."""
    NOTED.failed(now)


class Backoff:
    """Waits between retries of one piece of work; `wait()` returns False once `stop` is set."""

    def __init__(self, *, stop: threading.Event, what: str):
        self.stop = stop
        self.what = what
        self.failures = 0

    def wait(self, exc: BaseException) -> bool:
        # The broken connection is thrown away so the next attempt opens a new one (Django would
        # otherwise hand out the same dead connection until its CONN_MAX_AGE runs out).
        _close_quietly()
        database_failure_noted()
        delay = min(2.0 ** self.failures, MAX_RETRY_SECONDS)
        log = logger.warning if self.failures == 0 else logger.info
        log("%s: database unavailable (%s: %s); retrying in %.0f s", self.what, exc.__class__.__name__,
            str(exc).strip().splitlines()[0] if str(exc).strip() else "", delay)
        self.failures += 1
        return not self.stop.wait(delay)

    def recovered(self) -> None:
        if self.failures:
            logger.warning("%s: database reachable again after %d failed attempts", self.what, self.failures)
        self.failures = 0


def _close_quietly() -> None:
    try:
        connection.close()
    except DATABASE_UNAVAILABLE:
        pass  # closing a connection to a server that is gone can itself fail; it is closed anyway


def retry_while_database_unavailable(work: Callable[[], T], *, stop: threading.Event, what: str) -> T:
    """Run `work` until it gets through the database; re-raises only once `stop` is set."""
    from hub.services.outages import outage_record_pending  # models: loaded after the app registry

    backoff = Backoff(stop=stop, what=what)
    while True:
        try:
            outage_record_pending()  # before the work: a push stored after an outage is held
            result = work()
        except DATABASE_UNAVAILABLE as exc:
            if not backoff.wait(exc):
                raise
            continue
        backoff.recovered()
        return result
