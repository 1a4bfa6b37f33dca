"""For the durability tests: a database the worker processes see, and this process's Celery
publisher pointed at a private broker (tests.services.RedisServer)."""
from __future__ import annotations

from contextlib import contextmanager

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


def worker_database_url() -> str:
    """A DATABASE_URL for worker processes that names pytest-django's test database itself
    (a transaction=True test commits, so they see what it writes)."""
    settings = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"  # a file in tests too (hub/settings.py)
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")
