"""For the durability tests: a database the worker processes see, and this process's Celery
publisher pointed at a private broker (tests.services.RedisServer)."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from hub import celery_app


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
