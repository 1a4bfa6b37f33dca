"""Real processes for the durability tests: a private redis-server, a database the worker sees,
and this process's Celery publisher pointed at that Redis."""
from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from hub import celery_app
from tests.conftest import service_unavailable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """Our own redis-server on a loopback port: restarted by tests, never the shared one."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("redis-server is not installed")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # no shutdown save: whatever was queued is gone
            self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def publisher(broker_url: str):
    """This process's on-commit enqueues go to ``broker_url`` for the duration."""
    conf = celery_app.conf
    saved = conf.broker_url
    conf.broker_url = broker_url
    celery_app._after_fork()  # drops the pooled connections to the old broker
    try:
        yield
    finally:
        conf.broker_url = saved
        celery_app._after_fork()


@contextmanager
def worker_visible_database(tmp_path: Path):
    """A DATABASE_URL for worker processes that names the database this test writes.

    PostgreSQL: pytest-django's test database itself (a transaction=True test commits).
    SQLite: the test database lives in memory, which no other process can open, so its
    (migrated, empty) contents are copied into a file, and this process's connection is
    pointed at that file until the test ends.
    """
    connection = connections["default"]
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        yield (f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
               f"{settings['PORT'] or 5432}/{settings['NAME']}")
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "worker-visible.sqlite3"
    with sqlite3.connect(path) as target:
        memory.backup(target)
    saved_name = settings["NAME"]
    connection.connection = None  # detached, not closed: closing would drop the in-memory DB
    settings["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        settings["NAME"] = saved_name
        connection.connection = memory
