"""Hand-written SQL for the API's hot reads, on PostgreSQL and SQLite alike.

On PostgreSQL the statement runs on its own server-binding cursor and is prepared on first use
(per connection), so PostgreSQL plans it once instead of on every request; the ORM's cursors
bind on the client and never prepare. Only statements whose plan is robust to their
parameters (index order serves the ORDER BY) are prepared: a generic plan is as good as a
custom one. psycopg prepares at protocol level: fine without a pooler, or behind pgbouncer
1.21+ with max_prepared_statements.

Timestamps come back as aware UTC datetimes on both databases. On PostgreSQL they are read by
psycopg's C timestamptz loader: Django registers a Python subclass of it on the connection
(about 4 µs a value, 400 values a page of history). Results come in binary: PostgreSQL then
sends a timestamp as its 8 bytes instead of formatting it as text (a page of history: ~0.09 ms
less PostgreSQL CPU, and psycopg reads it faster). A JSON column comes back parsed.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

import psycopg
from django.db import connection
from psycopg.types.datetime import TimestamptzBinaryLoader


class _PreparedCursor(psycopg.Cursor):
    prepare_statements = True

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=self.prepare_statements, binary=True)


# Django sets the connection's threshold to None, which turns preparing off even when asked
# for; a count no statement reaches keeps psycopg from preparing anything by itself (Django's
# own cursors bind on the client and cannot prepare anyway) while ours prepare on request.
_ONLY_WHEN_ASKED = 2**31 - 1


def _postgresql_cursor(prepare: bool) -> psycopg.Cursor:
    """This connection's cursor of that kind, made once: a cursor with its own loader costs more
    to make (~11 µs) than it costs to reuse, and a request runs two statements. Kept on Django's
    per-thread connection object, next to the psycopg connection it belongs to (a reconnect
    replaces both)."""
    connection.ensure_connection()
    raw_connection = connection.connection
    cursors = getattr(connection, "_hub_prepared_cursors", None)
    if cursors is None or cursors[0] is not raw_connection:
        if raw_connection.prepare_threshold is None:
            raw_connection.prepare_threshold = _ONLY_WHEN_ASKED
        cursors = connection._hub_prepared_cursors = (raw_connection, {})
    raw = cursors[1].get(prepare)
    if raw is None or raw.closed:
        raw = cursors[1][prepare] = _PreparedCursor(raw_connection)
        raw.prepare_statements = prepare
        raw.adapters.register_loader("timestamptz", TimestamptzBinaryLoader)
    return raw


@contextmanager
def _cursor(prepare: bool):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # Wrapped like Django's own cursors: errors translated, queries logged under DEBUG. The raw
    # cursor is reused, so it is not closed here.
    connection.validate_thread_sharing()
    raw = _postgresql_cursor(prepare)
    yield connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def _aware(rows: list[tuple]) -> list[tuple]:
    # SQLite gives naive UTC datetimes (Django's converters, by declared column type).
    return [tuple(v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) else v for v in row) for row in rows]


def fetch_all(sql: str, params: list, *, prepare: bool = True) -> list[tuple]:
    """``%s`` placeholders; datetime parameters may be aware (they are adapted here). ``prepare``:
    False for a statement whose best plan depends on its parameters (PostgreSQL may switch a
    prepared statement to one generic plan after five runs)."""
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p for p in params]
    with _cursor(prepare) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows if connection.vendor == "postgresql" else _aware(rows)
