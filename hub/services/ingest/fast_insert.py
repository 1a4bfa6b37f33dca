"""Plain INSERTs and UPDATEs of value tuples for the ingest's hot tables.

bulk_create spends most of its time compiling every field of every object; the ingest writes
tens of thousands of rows per batch, so it builds one statement per (model, columns) and
adapts each value as the field's own ``get_db_prep_save`` does, so the stored values are
exactly what the ORM would store, on SQLite as on PostgreSQL.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from django.db import connection, models

# Values of these types go to the driver unchanged when the column is text or integer.
_PLAIN_VALUES = (str, int, type(None))
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.AutoField)
_DATETIMES = [datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=11))),
              datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)]
_DICTS = [{"a": [1, "é", None, True, 1.5], "b": {"c": ""}}]


def _shortcut(field, conn) -> Callable | None:
    """A cheaper adapter than get_db_prep_save for aware datetimes or dicts, used only if it
    gives the same values as the field on the probes (which one fits depends on the backend:
    PostgreSQL takes aware datetimes as they are, SQLite wants naive UTC text and JSON text)."""
    if isinstance(field, models.DateTimeField):
        zone = conn.timezone
        candidates, probes = [lambda v: v, lambda v: str(v.astimezone(zone).replace(tzinfo=None))], _DATETIMES
    elif isinstance(field, models.JSONField) and field.encoder is None:
        candidates, probes = [json.dumps], _DICTS
    else:
        return None
    for candidate in candidates:
        expected = [field.get_db_prep_save(p, conn) for p in probes]
        if all(type(e) is type(candidate(p)) and e == candidate(p) for e, p in zip(expected, probes)):
            return candidate
    return None


def _adapter(field, conn) -> Callable:
    prep = field.get_db_prep_save
    if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.BooleanField):
        return lambda v: v if v.__class__ in _PLAIN_VALUES else prep(v, conn)
    fast = _shortcut(field, conn)
    if fast is None:
        return lambda v: prep(v, conn)
    if isinstance(field, models.DateTimeField):
        return lambda v: fast(v) if v.__class__ is datetime and v.tzinfo is not None else prep(v, conn)
    return lambda v: fast(v) if v.__class__ is dict else prep(v, conn)


@lru_cache(maxsize=128)
def _plan(model, columns: tuple[str, ...], vendor: str):
    conn = connection  # the proxy: adapters stay valid in every thread
    fields = [model._meta.get_field(name) for name in columns]
    return fields, [_adapter(f, conn) for f in fields]


def _adapted(rows, adapters) -> list[tuple]:
    return [tuple([a(v) for a, v in zip(adapters, row)]) for row in rows]


def rows_insert(model, columns: Sequence[str], rows: Sequence[tuple], *, returning: bool = False) -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order); returns their new ids, in order, when
    ``returning`` (one multi-row INSERT … RETURNING per chunk), else [] (executemany)."""
    if not rows:
        return []
    fields, adapters = _plan(model, tuple(columns), connection.vendor)
    values = _adapted(rows, adapters)
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(head + one, values)
            return []
        returning_sql = f" RETURNING {qn(model._meta.pk.column)}"
        if connection.vendor == "postgresql":
            # psycopg pipelines executemany and keeps each row's RETURNING as a result set;
            # a multi-row VALUES would spend more time splitting its thousands of %s.
            cursor.cursor.executemany(head + one + returning_sql, values, returning=True)
            ids = [cursor.cursor.fetchone()[0]]
            while cursor.cursor.nextset():
                ids.append(cursor.cursor.fetchone()[0])
            return ids
        size = max(1, connection.ops.bulk_batch_size(fields, values))
        ids = []
        for start in range(0, len(values), size):
            chunk = values[start:start + size]
            cursor.execute(f"{head}{', '.join([one] * len(chunk))}{returning_sql}",
                           [v for row in chunk for v in row])
            ids += [r[0] for r in cursor.fetchall()]
        return ids


def objects_insert(objs: list[models.Model]) -> None:
    """Insert unsaved model instances as bulk_create would (auto_now fields set, pks filled
    in), with one rows_insert."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    rows = [tuple([f.pre_save(obj, True) for f in fields]) for obj in objs]
    ids = rows_insert(type(objs[0]), [f.name for f in fields], rows, returning=True)
    for obj, pk in zip(objs, ids):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def rows_update(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``UPDATE … SET columns WHERE pk`` for rows of (*values, pk), in one executemany."""
    if not rows:
        return
    fields, adapters = _plan(model, (*columns, model._meta.pk.name), connection.vendor)
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields[:-1])
    sql = f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(fields[-1].column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, _adapted(rows, adapters))
