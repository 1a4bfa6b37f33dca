"""A hard deadline for one request: at expiry its socket is shut down, whatever it is doing.

Socket timeouts bound each read, not the request: a receiver dripping one header byte per
second would hold a worker forever. One shared thread keeps every deadline, so a send costs
a heap push instead of a thread.
"""
from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time


class Deadline:
    def __init__(self, at: float) -> None:
        self.at = at
        self.expired = False
        self.done = False
        self._lock = threading.Lock()
        self._conn = None

    def attach(self, conn) -> None:
        """The urllib3 connection now carrying the request (new or from the pool)."""
        with self._lock:
            self._conn = conn
            expired = self.expired
        if expired:
            _shutdown(conn)

    def expire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.expired = True
            conn = self._conn
        if conn is not None:
            _shutdown(conn)

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._conn = None

    def remaining(self) -> float:
        return self.at - time.monotonic()


def _shutdown(conn) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        # shutdown, not close: it wakes a thread blocked in recv/send on this socket.
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Watchdog:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float) -> Deadline:
        if self._pid != os.getpid():
            self._reset()  # a forked worker (Celery prefork) inherits no thread
        deadline = Deadline(time.monotonic() + seconds)
        with self._cv:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="delivery-watchdog", daemon=True)
                self._thread.start()
            self._cv.notify()
        return deadline

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                _, _, deadline = heapq.heappop(self._heap)
            deadline.expire()


WATCHDOG = Watchdog()

# The deadline of the request this thread is sending; read by the connection classes.
current = threading.local()
