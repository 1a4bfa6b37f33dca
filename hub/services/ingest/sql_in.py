"""``column IN (values)`` for the ingest's plain queries over thousands of values."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import connection

_CHUNK = 500  # values per IN (…) on SQLite, well under its limit on bound parameters


def in_values(column: str, values: Sequence) -> Iterator[tuple[str, list]]:
    """SQL conditions with their parameters that together cover ``values``: one
    ``column = ANY(%s)`` on PostgreSQL (one array parameter: psycopg would otherwise parse and
    quote thousands of ``%s`` in Python), chunks of ``IN (%s, …)`` on SQLite."""
    values = list(values)
    if connection.vendor == "postgresql":
        if values:
            yield f"{column} = ANY(%s)", [values]
        return
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def select_in(sql: str, params: list, column: str, values: Sequence) -> list[tuple]:
    """The rows of ``sql`` (ending in WHERE … AND, or WHERE) with ``column`` in ``values``."""
    rows = []
    with connection.cursor() as cursor:
        for condition, extra in in_values(column, values):
            cursor.execute(f"{sql} {condition}", [*params, *extra])
            rows += cursor.fetchall()
    return rows


def delete_in(table: str, column: str, values: Sequence) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for condition, extra in in_values(qn(column), values):
            cursor.execute(f"DELETE FROM {qn(table)} WHERE {condition}", extra)
