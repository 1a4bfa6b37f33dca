"""Plain INSERTs and UPDATEs of value tuples for the ingest's hot tables.

bulk_create spends most of its time compiling every field of every object; the ingest writes
tens of thousands of rows per batch, so it builds one statement per (model, columns) and
adapts each value as the field's own ``get_db_prep_save`` does, so the stored values are
exactly what the ORM would store, on SQLite as on PostgreSQL. On PostgreSQL the rows go
through ``COPY … (FORMAT BINARY)`` (psycopg adapts them in C, and nothing is formatted as text
only for the server to parse it back); ids wanted back are taken from the table's sequence
first, so ``COPY`` can carry them. A few rows (a push's) go in one ``INSERT … RETURNING``
instead: one round trip where a COPY takes two or three.
"""
from __future__ import annotations

import json

import orjson
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import chain
from operator import attrgetter

from django.db import connection, models, transaction
from django.db.models.constants import OnConflict
from psycopg.types.json import set_json_dumps

# Values of these types go to the driver unchanged when the column is text or integer.
_PLAIN_VALUES = frozenset({str, int, type(None)})
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.AutoField)
# Binary COPY writes each value with its column's type, so there a value must already be that
# type: a text column's int (or an integer column's str) goes through the field first.
_TEXT_VALUES, _INTEGER_VALUES = frozenset({str, type(None)}), frozenset({int, type(None)})
_DATETIMES = [datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=11))),
              datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)]
_DICTS = [{"a": [1, "é", None, True, 1.5], "b": {"c": ""}}]
_TZINFO = attrgetter("tzinfo")
_TIMES_REMEMBERED = 30_000  # a few batches' distinct instants: ~7 MB


def _json_bytes(value) -> bytes:
    """JSON of ``value``: orjson's when it can (ten times quicker), else json.dumps'
    (integer keys, integers past 64 bits). The text is compact and keeps non-ASCII as it is,
    so it differs from json.dumps' in spaces and escapes only: it loads as the same value,
    and PostgreSQL's jsonb stores the same either way. (orjson writes a NaN float as null,
    where json.dumps writes a NaN that PostgreSQL rejects.)"""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


def _json_text(value) -> str:
    return _json_bytes(value).decode()


def _as_is(value):
    return value


@lru_cache(maxsize=None)  # one per zone: every datetime column shares it (memory stays bounded)
def _utc_text(zone) -> Callable:
    """SQLite's text for an aware datetime: naive in the connection's zone, as str() gives
    it (isoformat without the ±HH:MM it ends with). Remembered by instant: a batch writes
    the same times again and again (an event's time is its catalogue event's and its leg's),
    and formatting a datetime costs far more than hashing one."""
    cache: dict[datetime, str] = {}

    def text(v: datetime) -> str:
        found = cache.get(v)
        if found is None:
            if len(cache) >= _TIMES_REMEMBERED:
                cache.clear()
            found = cache[v] = v.astimezone(zone).isoformat(" ")[:-6]
        return found

    def column(values) -> list[str]:
        """text() of each value: each new instant formatted once, then every value looked up
        in C (a Python call per value cost more than the lookup)."""
        distinct = set(values)
        distinct.discard(None)
        missing = distinct.difference(cache)
        if len(cache) + len(missing) > _TIMES_REMEMBERED:
            cache.clear()
            missing = distinct
        texts = {v: v.astimezone(zone).isoformat(" ")[:-6] for v in missing}
        if len(texts) <= _TIMES_REMEMBERED:  # else too many to keep: this column's alone
            cache.update(texts)
            texts = cache
        return list(map(texts.get, values))  # every instant is in ``texts``: only None is not
    text.cache, text.column = cache, column
    return text


def _shortcut(field, conn) -> Callable | None:
    """A cheaper adapter than get_db_prep_save for aware datetimes or dicts, used only if it
    gives the same values as the field on the probes (which one fits depends on the backend:
    PostgreSQL takes aware datetimes as they are, SQLite wants naive UTC text and JSON text)."""
    if isinstance(field, models.DateTimeField):
        zone = conn.timezone
        candidates, probes = [_as_is, _utc_text(zone)], _DATETIMES
    elif isinstance(field, models.JSONField) and field.encoder is None:
        candidates, probes = [_json_text], _DICTS
    else:
        return None
    for candidate in candidates:
        expected = [field.get_db_prep_save(p, conn) for p in probes]
        if all(_same(e, candidate(p)) for e, p in zip(expected, probes)):
            return candidate
    return None


def _same(expected, got) -> bool:
    """``got`` stores what ``expected`` (the field's own value) stores; JSON text counts as the
    same when it loads as the same value."""
    if isinstance(expected, str) and isinstance(got, str) and expected[:1] in "{[":
        return json.loads(expected) == json.loads(got)
    return type(expected) is type(got) and expected == got


def _copy_json(field) -> Callable | None:
    """For COPY on PostgreSQL: a JSON column's value goes as it is; psycopg's jsonb dumper
    writes it with _json_bytes (set on the COPY's cursor), which stores the same jsonb as the
    ORM's ``Jsonb(value)``."""
    if isinstance(field, models.JSONField) and field.encoder is None:
        return _as_is
    return None


class _Plan:
    """How to turn rows of one (model, columns) into driver values: plain columns are checked
    and left alone, the others go through the shortcut the field allows. A column at a time:
    a column whose values all have the expected type is kept, or converted with one ``map``,
    with no Python step per value (on PostgreSQL, where the shortcuts keep the values as
    they are, adapting a batch is two ``zip``s)."""

    def __init__(self, fields, conn, *, copy: bool) -> None:
        self.fields = fields
        self.plain, self.special = [], []
        for index, field in enumerate(fields):
            prep = (lambda f: lambda v: f.get_db_prep_save(v, conn))(field)
            if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.BooleanField):
                self.plain.append((index, _plain_values(field, copy), prep))
                continue
            fast = (_copy_json(field) if copy else None) or _shortcut(field, conn)
            kind = datetime if isinstance(field, models.DateTimeField) else dict
            # A null the field stores as NULL may stay None (nullable times of legs and calls).
            kinds = frozenset({kind, type(None)} if fast and field.get_db_prep_save(None, conn) is None else {kind})
            self.special.append((index, kind, kinds, fast, prep))

    def adapt(self, rows: Sequence[tuple]) -> Sequence[tuple]:
        """``rows`` as the driver takes them: ``rows`` themselves if no value needs changing."""
        columns = list(zip(*rows))
        if not columns:
            return []
        changed = False
        for index, plain_types, prep in self.plain:
            column = columns[index]
            if not plain_types.issuperset(map(type, column)):
                columns[index], changed = [v if v.__class__ in plain_types else prep(v) for v in column], True
        for index, kind, kinds, fast, prep in self.special:
            column = columns[index]
            if fast is None or not _all_fast(column, kind, kinds):
                columns[index], changed = [_one(v, kind, fast, prep) for v in column], True
            elif fast is not _as_is:
                columns[index], changed = _all_of(fast, column), True
        return list(zip(*columns)) if changed else rows


def _all_fast(column, kind, kinds: frozenset) -> bool:
    """Every value takes the shortcut or is a null that may stay None (``kinds``): of ``kind``
    exactly, and aware if it is a datetime."""
    types = {*map(type, column)}
    if not kinds.issuperset(types):
        return False
    if kind is not datetime:
        return True
    return None not in map(_TZINFO, filter(None, column) if type(None) in types else column)


def _all_of(fast: Callable, column) -> list:
    """fast() of every value but None, a column at a time where the shortcut can (datetime text)."""
    many = getattr(fast, "column", None)
    if many is not None:
        return many(column)
    return [None if v is None else fast(v) for v in column] if None in column else list(map(fast, column))


def _one(value, kind, fast, prep):
    if value is not None and fast is not None and value.__class__ is kind and (
            kind is dict or value.tzinfo is not None):
        return fast(value)
    return prep(value)


def _plain_values(field, copy: bool) -> frozenset:
    if not copy:
        return _PLAIN_VALUES
    return _TEXT_VALUES if isinstance(field, (models.CharField, models.TextField)) else _INTEGER_VALUES


@lru_cache(maxsize=128)
def _plan(model, columns: tuple[str, ...], vendor: str, copy: bool = False) -> _Plan:
    conn = connection  # the proxy: adapters stay valid in every thread
    return _Plan([model._meta.get_field(name) for name in columns], conn, copy=copy)


# Fewer rows than this go to PostgreSQL in one INSERT: a push writes a row or two per table,
# and there a COPY's extra round trips cost more than the server parsing a few values.
_INSERT_THROUGH_COPY = 16


def _uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _copy(model, fields, values: list) -> None:
    _copy_into(model._meta.db_table, [f.column for f in fields], values)


def _copy_into(table: str, columns: Sequence[str], values) -> None:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(map(qn, columns))}) FROM STDIN (FORMAT BINARY)"
    # The raw psycopg cursor raises psycopg's errors: wrapped, a refused value is Django's
    # DataError, as it is for every other write (the push views answer it with a 400).
    # A binary COPY carries no types: each value is written as its column's type.
    types = _column_types(table, tuple(columns))  # before COPY holds the connection
    with connection.wrap_database_errors, connection.cursor() as cursor:
        set_json_dumps(_json_bytes, context=cursor.cursor)
        with cursor.cursor.copy(sql) as copy:
            copy.set_types(types)
            write = copy.write_row
            for row in values:
                write(row)


@lru_cache(maxsize=128)
def _column_types(table: str, columns: tuple[str, ...]) -> list[int]:
    """The type oids of ``columns``, as the table has them (varchar(64), jsonb, …). Remembered
    across databases: the hub's columns are of built-in types, whose oids never change."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                       [connection.ops.quote_name(table)])
        oids = dict(cursor.fetchall())
    return [oids[column] for column in columns]


def _next_ids(model, count: int) -> list[int]:
    """``count`` fresh ids, the ones plain INSERTs would take: from the table's sequence on
    PostgreSQL; on SQLite the next ones after the largest ever used (AUTOINCREMENT), which
    stay ours because the transaction holds the write lock (IMMEDIATE; had another writer
    committed in between, SQLite would refuse this transaction's write, not reuse an id)."""
    meta, qn = model._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, count])
            return sorted(pk for pk, in cursor.fetchall())
        cursor.execute(f"SELECT max({qn(meta.pk.column)}) FROM {qn(meta.db_table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        used = cursor.fetchone()
        start = max(largest, used[0] if used else 0) + 1
        return list(range(start, start + count))


def _insert_head(model, fields, on_conflict) -> tuple[str, str]:
    """``INSERT INTO table (columns) VALUES`` and what follows the values, for ``on_conflict``
    (None, or OnConflict.IGNORE: the backend's words for bulk_create's ignore_conflicts)."""
    ops, qn = connection.ops, connection.ops.quote_name
    head = f"{ops.insert_statement(on_conflict=on_conflict)} {qn(model._meta.db_table)} " \
           f"({', '.join(qn(f.column) for f in fields)}) VALUES "
    tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if on_conflict else ""
    return head, f" {tail}" if tail else ""


def _insert_returning(model, columns: Sequence[str], rows: Sequence[tuple], returning: bool,
                      on_conflict=None) -> list[int]:
    """A few rows on PostgreSQL: one multi-row ``INSERT … RETURNING id`` (one round trip; a COPY
    takes two, and ids from the sequence a third). Any number with ``on_conflict`` (_insert_new)."""
    plan, qn = _plan(model, tuple(columns), connection.vendor), connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(columns))})"
    head, tail = _insert_head(model, plan.fields, on_conflict)
    sql = f"{head}{', '.join([row] * len(rows))}{tail}" + (f" RETURNING {qn(model._meta.pk.column)}" if returning else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in plan.adapt(rows) for value in values])
        # PostgreSQL returns a multi-row VALUES insert's rows in order (bulk_create relies on it too).
        return [pk for pk, in cursor.fetchall()] if returning else []


def rows_insert(model, columns: Sequence[str], rows: Sequence[tuple], *, returning: bool = False,
                ignore_conflicts: bool = False) -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order); returns their new ids, in order, when
    ``returning``, else []. With ``ignore_conflicts``, a row a unique constraint refuses is
    left out, as bulk_create(ignore_conflicts=True) leaves it (no ids then: which rows went in
    is not known)."""
    if not rows:
        return []
    if ignore_conflicts:
        if returning:
            raise ValueError("rows_insert: no ids with ignore_conflicts")
        _insert_new(model, columns, rows)
        return []
    if _uses_copy() and len(rows) < _INSERT_THROUGH_COPY:
        return _insert_returning(model, columns, rows, returning)
    # Ids wanted back are taken first and inserted like any column: one statement for all
    # rows (COPY, or an executemany SQLite compiles once) instead of INSERT … RETURNING.
    ids = _next_ids(model, len(rows)) if returning else []
    if returning:
        columns, rows = (model._meta.pk.name, *columns), [(pk, *row) for pk, row in zip(ids, rows)]
    plan = _plan(model, tuple(columns), connection.vendor, _uses_copy())
    if _uses_copy():
        _copy(model, plan.fields, plan.adapt(rows))
        return ids
    _insert_many(model, plan.fields, plan.adapt(rows))
    return ids


def _insert_new(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """The rows that break no unique constraint: COPY cannot leave rows out, so on PostgreSQL
    one INSERT … ON CONFLICT DO NOTHING of all of them (bulk_create's statement)."""
    if _uses_copy():
        _insert_returning(model, columns, rows, False, OnConflict.IGNORE)
        return
    plan = _plan(model, tuple(columns), connection.vendor)
    _insert_many(model, plan.fields, plan.adapt(rows), OnConflict.IGNORE)


def _insert_many(model, fields, rows: Sequence[tuple], on_conflict=None) -> None:
    """SQLite: the rows in multi-row INSERTs of as many rows as Django's limit on parameters
    allows (one executemany of them), the few left over in an executemany of one-row INSERTs.
    Each execution of a statement opens the table's and its indexes' cursors, seeks them anew
    and ends the statement: for a one-row INSERT that was about half of its instructions
    (callgrind, 20,000 event rows: 42k -> 22k instructions a row in statements of 99 rows)."""
    width = len(fields)
    head, tail = _insert_head(model, fields, on_conflict)
    one = f"({', '.join(['%s'] * width)})"
    per = max(1, connection.features.max_query_params // width)
    whole = len(rows) - len(rows) % per
    with connection.cursor() as cursor:
        if whole:
            # The leftover rows (fewer than ``per``) keep to the one-row statement: a statement
            # of their own number of rows would be compiled anew each time, for no gain.
            cursor.executemany(head + ", ".join([one] * per) + tail,
                               [tuple(chain.from_iterable(rows[start:start + per])) for start in range(0, whole, per)])
        if whole < len(rows):
            cursor.executemany(head + one + tail, rows[whole:])


def objects_insert(objs: list[models.Model]) -> None:
    """Insert unsaved model instances as bulk_create would (auto_now fields set, pks filled
    in), with one rows_insert."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # pre_save() of most fields only reads the attribute: those are read in one attrgetter.
    read = attrgetter(*(f.attname for f in fields))
    saved = [(index, field) for index, field in enumerate(fields) if not _reads_attribute(field)]
    rows = []
    for obj in objs:
        row = list(read(obj)) if len(fields) > 1 else [read(obj)]
        for index, field in saved:
            row[index] = field.pre_save(obj, True)
        rows.append(tuple(row))
    ids = rows_insert(type(objs[0]), [f.name for f in fields], rows, returning=True)
    for obj, pk in zip(objs, ids):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


_ATTRIBUTE_PRE_SAVES = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)


def _reads_attribute(field) -> bool:
    """Whether ``field.pre_save(obj, add=True)`` only returns the attribute (no auto_now(_add),
    no pre_save of its own)."""
    return (type(field).pre_save in _ATTRIBUTE_PRE_SAVES
            and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False))


def rows_update(model, updates: Mapping[tuple[str, ...], Sequence[tuple]]) -> None:
    """``UPDATE … SET columns WHERE pk`` for each set of ``columns`` in ``updates``, on its rows
    of (*values, pk): a row's other columns are left as they are."""
    updates = {tuple(columns): rows for columns, rows in updates.items() if rows}
    if _uses_copy() and sum(map(len, updates.values())) >= _UPDATE_THROUGH_COPY:
        _update_through_copy(model, updates)
        return
    for columns, rows in updates.items():
        _update_each(model, columns, rows)


def _update_each(model, columns: tuple[str, ...], rows: Sequence[tuple]) -> None:
    """One UPDATE per row, in one executemany."""
    plan = _plan(model, (*columns, model._meta.pk.name), connection.vendor)
    fields = plan.fields
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields[:-1])
    sql = f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(fields[-1].column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, plan.adapt(rows))


def _update_through_copy(model, updates: dict[tuple[str, ...], Sequence[tuple]]) -> None:
    """The rows of every set of columns into one temporary table (one COPY), then one
    ``UPDATE … FROM`` per set. An executemany costs ~16 µs of Python per row (psycopg formats
    and pipelines each UPDATE, and PostgreSQL parses and plans each); this ~1 µs, plus a few
    statements: worth it from a few dozen rows."""
    meta, qn = model._meta, connection.ops.quote_name
    wanted = {name for columns in updates for name in columns}
    names = [f.name for f in meta.concrete_fields if f.name in wanted and not f.primary_key]
    plan = _update_plan(model, tuple(names))
    temp = f"{meta.db_table}_update"
    columns = [_SET_COLUMN, *(f.column for f in plan.fields[1:])]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Typed like the table's own columns; gone at commit even if a statement below fails.
        cursor.execute(f"CREATE TEMPORARY TABLE {qn(temp)} ON COMMIT DROP AS SELECT NULL::integer AS {_SET_COLUMN}, "
                       f"{', '.join(map(qn, columns[1:]))} FROM {qn(meta.db_table)} WITH NO DATA")
        _copy_into(temp, columns, plan.adapt(_spread(names, updates)))
        pk = qn(meta.pk.column)
        for number, update in enumerate(updates):
            assignments = ", ".join(f"{qn(column)} = u.{qn(column)}" for column in map(_column(meta), update))
            cursor.execute(f"UPDATE {qn(meta.db_table)} SET {assignments} FROM {qn(temp)} AS u "
                           f"WHERE u.{_SET_COLUMN} = %s AND {qn(meta.db_table)}.{pk} = u.{pk}", [number])
        cursor.execute(f"DROP TABLE {qn(temp)}")


_UPDATE_THROUGH_COPY = 64  # rows; fewer (a push's one call) take the executemany
_SET_COLUMN = "hub_set"  # the temporary table's column that says which set of columns a row sets


def _column(meta) -> Callable[[str], str]:
    return lambda name: meta.get_field(name).column


def _spread(names: list[str], updates: dict[tuple[str, ...], Sequence[tuple]]) -> list[tuple]:
    """Rows of (set number, pk, *one value per name), None where the row's set has no such
    column (the set's UPDATE does not read it)."""
    position = {name: index for index, name in enumerate(names)}
    spread = []
    for number, (columns, rows) in enumerate(updates.items()):
        places = [position[name] for name in columns]
        for row in rows:
            values = [None] * len(names)
            for place, value in zip(places, row):
                values[place] = value
            spread.append((number, row[-1], *values))
    return spread


@lru_cache(maxsize=128)
def _update_plan(model, names: tuple[str, ...]) -> _Plan:
    """The plan for _spread()'s rows: the set number is a plain integer column."""
    meta = model._meta
    return _Plan([models.IntegerField(), meta.pk, *map(meta.get_field, names)], connection, copy=True)
