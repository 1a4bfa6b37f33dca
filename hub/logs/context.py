"""Fields that every log line written while handling one request or task carries.

A context variable, so threads (the worker's pool, gunicorn's threads) and the event loop keep
their own; the request middleware and the Celery task signals open a scope, and code that learns
the account or the PBX on the way binds them into it.
"""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_FIELDS: ContextVar[dict] = ContextVar("hub_log_fields", default={})  # replaced, never mutated
# An incoming X-Request-ID is kept when it looks like an id (a proxy's or the client's), so one
# id follows the request through every hop; anything else could forge or flood the logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id_from(header: str | None) -> str:
    return header if header and _REQUEST_ID.fullmatch(header) else uuid.uuid4().hex


@contextmanager
def log_scope(**fields) -> Iterator[None]:
    token = _FIELDS.set({key: value for key, value in fields.items() if value is not None})
    try:
        yield
    finally:
        _FIELDS.reset(token)


def log_scope_start(**fields) -> None:
    """Start a scope that no ``with`` can hold (a Celery task, between its signals); what ran
    before in this thread leaves nothing in it."""
    _FIELDS.set({key: value for key, value in fields.items() if value is not None})


def log_bind(**fields) -> None:
    """Add fields to the current scope's lines (and its closing line); None values are left out."""
    _FIELDS.set({**_FIELDS.get(), **{key: value for key, value in fields.items() if value is not None}})


def log_fields() -> dict:
    return _FIELDS.get()


class ContextFields(logging.Filter):
    """A handler filter: the scope's fields onto the record, for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context = _FIELDS.get()
        return True
