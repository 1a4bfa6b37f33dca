"""PostgreSQL: deliveries and attempts in weekly range partitions, so retention drops whole weeks.

    enabled()                               this database has them (PostgreSQL after migration 0017)
    partitions_roll(now=…, longest=…)       beat: make the coming weeks, drop the weeks every account is done with
    partition_create(table, start)          one week (rows the default partition holds for it move in)
    table_rebuild(cursor, table, key)       the migration: a table to partitioned (key) or back (None), every row kept

``hub_delivery`` is partitioned by ``created_at``, ``hub_attempt`` by ``started_at``, one
partition per ISO week (Monday 00:00 UTC), named ``<table>_w<YYYYMMDD>``, plus
``<table>_default`` for a row no week takes (a clock far off, or weeks the beat never made):
inserts never fail for want of a partition, and the week made later takes its rows over.

PostgreSQL wants the partition key in every primary key and unique constraint of a partitioned
table, and a foreign key may only point at columns a unique constraint covers. So on these two
tables the primary key is (id, <key>) (ids still come from one sequence, so id alone stays
unique in fact; Django only ever looks rows up by id), the webhook-id's unique constraint becomes
a plain index (the catalogue event's unique key, on an unpartitioned table, is what makes a
delivery once-only: deliveries are only written for events just inserted), and the attempt's
foreign key to its delivery is Django's only (db_constraint=False; Django deletes a delivery's
attempts with it). Foreign keys *from* these tables to unpartitioned ones stay. docs/retention.md.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import OperationalError, connection, transaction

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
# kind (hub.services.retention) -> (table, partition key)
# (attempts first: a week of deliveries dropped takes its attempts along, fewer once theirs are gone)
TABLES = {"attempts": ("hub_attempt", "started_at"), "deliveries": ("hub_delivery", "created_at")}
PARTITIONED_KINDS = frozenset(TABLES)
FINAL_STATUSES = ("delivered", "failed")
# Marks the plain index that was a unique constraint before the table was partitioned.
_WAS_UNIQUE = "hub: unique when not partitioned"
_WEEK_NAME = re.compile(r"_w(\d{8})$")


@dataclass
class RollResult:
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)  # rows that went with dropped partitions, by kind


def week_start(moment: datetime) -> datetime:
    moment = moment.astimezone(dt_timezone.utc)
    return (moment - timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _literal(moment: datetime) -> str:
    return f"'{moment.isoformat()}'"  # a datetime of ours, never user text


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def enabled() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return is_partitioned(cursor, TABLES["deliveries"][0])


def partitions(cursor, table: str) -> list[tuple[str, datetime | None]]:
    """(name, week start) of the table's partitions, oldest first; the default's start is None."""
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = to_regclass(%s)", [table])
    found = []
    for (name,) in cursor.fetchall():
        match = _WEEK_NAME.search(name)
        start = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=dt_timezone.utc) if match else None
        found.append((name, start))
    return sorted(found, key=lambda item: (item[1] is not None, item[1] or datetime.min.replace(tzinfo=dt_timezone.utc)))


def partition_name(table: str, start: datetime) -> str:
    return f"{table}_w{start:%Y%m%d}"


def partition_create(cursor, table: str, key: str, start: datetime) -> str | None:
    """Make the week starting ``start`` (a Monday 00:00 UTC); its name, or None if it exists.
    Rows of that week in the default partition move into it (PostgreSQL refuses a new partition
    while the default holds rows that belong to it)."""
    start = week_start(start)
    name, end = partition_name(table, start), start + WEEK
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return None
    default = f"{table}_default"
    bounds = f"FOR VALUES FROM ({_literal(start)}) TO ({_literal(end)})"
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [default])
    has_default = cursor.fetchone()[0]
    stray = False
    if has_default:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE {_q(key)} >= {_literal(start)} "
                       f"AND {_q(key)} < {_literal(end)})")
        stray = cursor.fetchone()[0]
    if stray:
        cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(key)} >= {_literal(start)} "
                       f"AND {_q(key)} < {_literal(end)} RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved")
        cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} {bounds}")
    else:
        cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} {bounds}")
    return name


def partitions_ensure(*, now: datetime, ahead_weeks: int | None = None) -> list[str]:
    """This week's partition and the next ``ahead_weeks`` (RETENTION_PARTITIONS_AHEAD_WEEKS)."""
    ahead = settings.RETENTION_PARTITIONS_AHEAD_WEEKS if ahead_weeks is None else ahead_weeks
    created = []
    for table, key in TABLES.values():
        for week in range(ahead + 1):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                    name = partition_create(cursor, table, key, week_start(now) + week * WEEK)
            except OperationalError as exc:  # the lock wait ran out: the next run (weeks are made well ahead)
                log.warning("retention: partition of %s for the week of %s not made this run: %s", table,
                            week_start(now) + week * WEEK, exc)
                continue
            if name:
                created.append(name)
    return created


def partitions_roll(*, now: datetime, longest: dict[str, int], batch: int = 5000,
                    deadline: float | None = None) -> RollResult:
    """Make the coming weeks, then drop every week that all accounts' retention has passed
    (``longest``: the longest retention in use per kind, in days).

    A week of deliveries that still holds one not yet final (pending or being sent) stays; its
    final rows are deleted in batches instead (an endpoint's deliveries may wait for long), and
    the week goes in a later run once the last one is final. The default partition's rows past
    the cut-off are deleted in batches too (it holds the rows no week took). A drop waits at most
    10 s for its lock (it needs the parent table to itself for a moment); one that cannot get it
    is left for the next run. Rows of accounts with a shorter retention are the row purge's
    (hub.services.retention)."""
    result = RollResult(created=partitions_ensure(now=now))
    for kind, (table, key) in TABLES.items():
        if not longest.get(kind):
            continue
        cutoff = now - timedelta(days=longest[kind])
        with connection.cursor() as cursor:
            found = partitions(cursor, table)
        for name, start in found:
            if start is None or start + WEEK > cutoff:
                continue
            if _partition_drop(kind, table, name, start, result):
                continue
            _rows_purge(kind, name, key, cutoff, batch=batch, deadline=deadline, result=result)
        _rows_purge(kind, f"{table}_default", key, cutoff, batch=batch, deadline=deadline, result=result)
    return result


def _retry_span() -> timedelta:
    """How long after its creation a delivery's retries may still run: the schedule with its
    jitter, a day to spare."""
    return timedelta(seconds=sum(settings.WEBHOOK_RETRY_SCHEDULE) * 1.2) + timedelta(days=1)


def _add(result: RollResult, kind: str, number: int) -> None:
    result.deleted[kind] = result.deleted.get(kind, 0) + number


def _partition_drop(kind: str, table: str, name: str, start: datetime, result: RollResult) -> bool:
    """Drop the week ``name`` unless it holds a delivery not final; True when it went."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '10s'")
            if kind == "deliveries":
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(name)} WHERE status <> ALL(%s))",
                               [list(FINAL_STATUSES)])
                if cursor.fetchone()[0]:
                    return False
                # A delivery's attempts go with it. They come after it, within its retry schedule
                # (a day or so), so only those weeks are read; one an admin's redelivery made
                # later is nobody's to show any more and goes with its own week.
                attempts, started = TABLES["attempts"]
                until = start + WEEK + _retry_span()
                cursor.execute(f"DELETE FROM {_q(attempts)} a USING {_q(name)} d WHERE a.delivery_id = d.id "
                               f"AND a.{_q(started)} >= {_literal(start)} AND a.{_q(started)} < {_literal(until)}")
                _add(result, "attempts", cursor.rowcount)
            cursor.execute(f"SELECT count(*) FROM {_q(name)}")
            rows = cursor.fetchone()[0]
            cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
            cursor.execute(f"DROP TABLE {_q(name)}")
    except OperationalError as exc:  # the lock wait ran out: next run
        log.warning("retention: partition %s not dropped this run: %s", name, exc)
        return False
    result.dropped.append(name)
    _add(result, kind, rows)
    return True


def _rows_purge(kind: str, name: str, key: str, cutoff: datetime, *, batch: int, deadline: float | None,
                result: RollResult) -> None:
    """Delete the rows of partition ``name`` past ``cutoff`` (deliveries: final ones, and their
    attempts), ``batch`` at a time, until none is left or the run's time is up."""
    final = " AND status = ANY(%s)" if kind == "deliveries" else ""
    params = [cutoff, *([list(FINAL_STATUSES)] if final else []), batch]
    while deadline is None or time.monotonic() < deadline:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_q(name)} WHERE id IN (SELECT id FROM {_q(name)} WHERE {_q(key)} < %s{final} "
                           f"ORDER BY id LIMIT %s) RETURNING id", params)
            ids = [row[0] for row in cursor.fetchall()]
            _add(result, kind, len(ids))
            if kind == "deliveries" and ids:
                cursor.execute(f"DELETE FROM {_q(TABLES['attempts'][0])} WHERE delivery_id = ANY(%s)", [ids])
                _add(result, "attempts", cursor.rowcount)
        if len(ids) < batch:
            return


# --- the migration ---------------------------------------------------------------------------

def table_rebuild(cursor, table: str, key: str | None, *, now: datetime | None = None) -> None:
    """Rebuild ``table`` partitioned by range on ``key`` (by week), or as a plain table (``key``
    None), keeping every row, its id, the id sequence's position, and every index and
    constraint under its name (adapted to what a partitioned table allows, as the module says).
    Nothing happens if the table is already as asked."""
    if is_partitioned(cursor, table) == bool(key):
        return
    now = now or datetime.now(dt_timezone.utc)
    qt = _q(table)
    cursor.execute("SELECT conname FROM pg_constraint WHERE confrelid = to_regclass(%s) AND conrelid <> confrelid",
                   [table])
    inbound = [row[0] for row in cursor.fetchall()]
    if inbound:
        raise RuntimeError(f"{table}: foreign keys point at it ({', '.join(inbound)}); they must be dropped first")
    cursor.execute("SELECT i.relname, pg_get_indexdef(i.oid), obj_description(i.oid, 'pg_class') "
                   "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s)", [table])
    indexes = cursor.fetchall()
    cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f')", [table])
    constraints = cursor.fetchall()
    constraint_names = {name for name, _, _ in constraints}
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT GREATEST((SELECT max(id) FROM {qt}), (SELECT last_value FROM {sequence}))")
    last_id = cursor.fetchone()[0]

    # Free the names (index names are the schema's) and the id sequence, then set the old rows aside.
    for name, kind, _ in constraints:
        cursor.execute(f"ALTER TABLE {qt} DROP CONSTRAINT {_q(name)}")
    for name, _, _ in indexes:
        if name not in constraint_names:
            cursor.execute(f"DROP INDEX {_q(name)}")
    cursor.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = 'id'", [table])
    if cursor.fetchone()[0]:
        cursor.execute(f"ALTER TABLE {qt} ALTER COLUMN id DROP IDENTITY")
    else:
        cursor.execute(f"ALTER TABLE {qt} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {sequence}")
    old = f"{table}_before_rebuild"
    cursor.execute(f"ALTER TABLE {qt} RENAME TO {_q(old)}")

    partition_by = f" PARTITION BY RANGE ({_q(key)})" if key else ""
    cursor.execute(f"CREATE TABLE {qt} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){partition_by}")
    if key:
        # PostgreSQL 15 has no identity columns on partitioned tables: a sequence the column owns.
        seq = f"{table}_id_seq"
        cursor.execute(f"CREATE SEQUENCE {_q(seq)} OWNED BY {qt}.id")
        cursor.execute(f"ALTER TABLE {qt} ALTER COLUMN id SET DEFAULT nextval('{seq}')")
        cursor.execute(f"SELECT min({_q(key)}) FROM {_q(old)}")
        first = cursor.fetchone()[0] or now
        start = week_start(min(first, now))
        while start <= week_start(now) + settings.RETENTION_PARTITIONS_AHEAD_WEEKS * WEEK:
            partition_create(cursor, table, key, start)
            start += WEEK
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {qt} DEFAULT")
    else:
        cursor.execute(f"ALTER TABLE {qt} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    cursor.execute(f"INSERT INTO {qt} SELECT * FROM {_q(old)}")
    if last_id:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id])
    cursor.execute(f"DROP TABLE {_q(old)}")

    for name, kind, definition in constraints:
        if kind == "p":
            columns = f"id, {_q(key)}" if key else "id"
            cursor.execute(f"ALTER TABLE {qt} ADD CONSTRAINT {_q(name)} PRIMARY KEY ({columns})")
        elif kind == "u" and key:
            # Unique without the partition key is not allowed: a plain index, marked to come back unique.
            cursor.execute(f"CREATE INDEX {_q(name)} ON {qt} {definition.removeprefix('UNIQUE ')}")
            cursor.execute(f"COMMENT ON INDEX {_q(name)} IS '{_WAS_UNIQUE}'")
        else:
            cursor.execute(f"ALTER TABLE {qt} ADD CONSTRAINT {_q(name)} {definition}")
    for name, definition, comment in indexes:
        if name in constraint_names:
            continue
        if comment == _WAS_UNIQUE and not key:
            columns = definition[definition.index("USING btree ") + len("USING btree "):]
            cursor.execute(f"ALTER TABLE {qt} ADD CONSTRAINT {_q(name)} UNIQUE {columns}")
            continue
        cursor.execute(definition.replace(" ON ONLY ", " ON "))
    cursor.execute(f"ANALYZE {qt}")
