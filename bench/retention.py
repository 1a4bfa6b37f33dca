"""Retention over time, compressed: do table sizes stay flat, and insert rate and read latency
stay level, while the purge rolls the weekly partitions?

    .venv/bin/python bench/retention.py                         # PostgreSQL, 42 days, 100,000 rows/day/table
    .venv/bin/python bench/retention.py --days 14 --per-day 5000 --retention 3    # a quick look
    .venv/bin/python bench/retention.py --database sqlite --days 14 --per-day 20000 --retention 3

A throw-away database (bench/_django.py; BENCH_POSTGRES_URL) with an account, its PBX and a
webhook endpoint. Then, for each simulated day (the clock starts --days ago and ends now):

1. the day's rows go in through the hub's own insert path (hub.services.ingest.fast_insert,
   binary COPY on PostgreSQL), timestamps spread over that day: --per-day raw PBX events,
   catalogue events, deliveries (a ~600-byte frozen body each, pointing at their event, all
   delivered) and one attempt each; the rate is timed (rows/s over the four tables);
2. the retention purge runs as beat runs it, with the simulated "now" (hub.services.retention;
   every kind kept --retention days; weekly partitions are made ahead and dropped);
3. the tables' sizes on disk (partitions and indexes included) and row counts are read, and the
   console's deliveries page and one delivery's page are fetched --reads times each through
   Django's test client (in process: the view, its queries, the template), median taken.

A compressed day is --per-day rows per table where a hub at 200 catalogue events/s writes 17
million: the point is the shape over time (flat after the retention plus a partition's week),
not the absolute size. Disk: roughly 3 KB per simulated row set kept; the default keeps about
(retention + 7) x per-day sets, some 6 GB at the peak. Results as JSON lines on stdout and a
summary table at the end; docs/benchmarks.md has a run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import _django  # noqa: E402 (bench/, beside this file)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DB_NAME = "hub_bench_retention"
BODY = json.dumps({"event": "user_inbound_answered", "call_id": "x" * 40, "caller_number": "+61399990000",
                   "user": {"number": "101", "name": "Ann Walker"}, "queue": {"number": "800", "name": "Sales"},
                   "did": "+61355500000", "padding": "p" * 300}).encode()


def _args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--days", type=int, default=42, help="simulated days")
    parser.add_argument("--per-day", type=int, default=100_000, help="rows per table per simulated day")
    parser.add_argument("--retention", type=int, default=14, help="days every high-volume kind is kept")
    parser.add_argument("--reads", type=int, default=15, help="requests per page per day")
    parser.add_argument("--chunk", type=int, default=20_000, help="rows per insert transaction")
    parser.add_argument("--keep", action="store_true", help="leave the database for a look afterwards")
    parser.add_argument("--no-vacuum", dest="vacuum", action="store_false",
                        help="never VACUUM the row-purged tables (by default: after each purge when autovacuum is off)")
    return parser.parse_args()


def main() -> None:
    args = _args()
    for name in ("RETENTION_PBX_EVENTS_DAYS", "RETENTION_CATALOGUE_EVENTS_DAYS", "RETENTION_DELIVERIES_DAYS",
                 "WEBHOOK_ATTEMPT_RETENTION_DAYS"):
        os.environ[name] = str(args.retention)
    os.environ.setdefault("HUB_ENCRYPTION_KEY", "2cJ0bXKQ9Pz7rGqk8nC0B3y2s8Q4tq8Lr0L0a2Zt8uU=")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["RETENTION_PURGE_SECONDS"] = "3600"  # one run does the day's work (beat: hourly, 120 s)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")  # the endpoint is never sent to
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    database = _django.setup(args.database, DB_NAME)
    try:
        run(args, database)
    finally:
        if not args.keep:
            _django.teardown(args.database, DB_NAME)


def _sizes(connection) -> dict[str, int]:
    tables = {"pbx_events": "hub_storedpbxevent", "catalogue_events": "hub_catalogueevent",
              "deliveries": "hub_delivery", "attempts": "hub_attempt"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sizes = {}
            for kind, table in tables.items():
                cursor.execute("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                               "WHERE c.oid = to_regclass(%s) "
                               "OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(%s))",
                               [table, table])
                sizes[kind] = int(cursor.fetchone()[0])
            return sizes
        cursor.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
        by_name = dict(cursor.fetchall())
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        owner = dict(cursor.fetchall())
        return {kind: sum(size for name, size in by_name.items() if name == table or owner.get(name) == table)
                for kind, table in tables.items()}


def _median_ms(client, url: str, reads: int) -> float:
    times = []
    for _ in range(reads):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return round(statistics.median(times), 1)


def run(args, database: str) -> None:
    from django.db import connection, transaction
    from django.test import Client

    from hub.models import Account, Attempt, CatalogueEvent, Delivery, Pbx, StoredPbxEvent
    from hub.services import partitions
    from hub.services.delivery import webhook_endpoint_create
    from hub.services.ingest.fast_insert import rows_insert
    from hub.services.retention import retention_purge, retention_table_rows
    from tests.factories import make_account, make_member

    account, pbx, _ = make_account("bench")
    endpoint, _ = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/hook", triggers=["user_inbound"],
                                          actor="bench")
    client = Client()
    client.force_login(make_member(account, "bench@example.com"))
    assert Account.objects.count() == 1 and Pbx.objects.count() == 1

    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=args.days)
    # Raw and catalogue events are purged by rows: their space comes back through (auto)vacuum.
    # A server with autovacuum off (this VM's) never gives it back, so there the bench vacuums
    # them after each purge, as autovacuum would (--no-vacuum: leave them be).
    vacuum = False
    if connection.vendor == "postgresql" and args.vacuum:
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            vacuum = cursor.fetchone()[0] == "off"
    print(json.dumps({"database": database.rsplit("@", 1)[-1], "days": args.days, "per_day": args.per_day,
                      "retention_days": args.retention, "partitioned": partitions.enabled(),
                      "vacuum_after_purge": vacuum}), flush=True)
    summary = []
    serial = 0
    for day in range(args.days):
        day_start = start + timedelta(days=day)
        now = day_start + timedelta(days=1)
        if partitions.enabled():
            partitions.partitions_ensure(now=day_start)  # beat makes them ahead; here the clock jumps
        step = timedelta(seconds=86400 / args.per_day)
        inserted, insert_seconds = 0, 0.0
        for offset in range(0, args.per_day, args.chunk):
            count = min(args.chunk, args.per_day - offset)
            times = [day_start + step * (offset + i) for i in range(count)]
            keys = range(serial, serial + count)
            serial += count
            started = time.perf_counter()
            with transaction.atomic():
                rows_insert(StoredPbxEvent, ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data",
                                             "raw", "received_at"),
                            [(pbx.pk, "push", "call.answered", t, f"c{k}", f"k{k}", {"user": "101"}, "", t)
                             for k, t in zip(keys, times)])
                event_ids = rows_insert(CatalogueEvent, ("account", "pbx", "key", "trigger", "sequence", "occurred_at",
                                                         "payload", "created_at"),
                                        [(account.pk, pbx.pk, f"e{k}", "user_inbound", 0, t, {"call_id": f"c{k}"}, t)
                                         for k, t in zip(keys, times)], returning=True)
                delivery_ids = rows_insert(
                    Delivery, ("account", "endpoint", "event", "sequence", "trigger", "message_id", "method", "url",
                               "headers", "body", "status", "is_test", "attempt_count", "delivered_at", "last_error",
                               "created_at"),
                    [(account.pk, endpoint.pk, e, 0, "user_inbound", f"msg_{k}", "POST", endpoint.url,
                      {"content-type": "application/json"}, BODY, "delivered", False, 1, t, "", t)
                     for k, e, t in zip(keys, event_ids, times)], returning=True)
                rows_insert(Attempt, ("delivery", "started_at", "duration_ms", "status_code", "response_body",
                                      "error_class", "error_message", "request_headers", "response_headers"),
                            [(d, t + timedelta(seconds=1), 40, 204, "", "", "", {"content-type": "application/json"}, {})
                             for d, t in zip(delivery_ids, times)])
            insert_seconds += time.perf_counter() - started
            inserted += 4 * count

        started = time.perf_counter()
        purge = retention_purge(now=now)
        purge_seconds = time.perf_counter() - started
        vacuum_seconds = None
        if vacuum:  # what autovacuum does on its own; off on this server, so the bench does it
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM hub_catalogueevent, hub_storedpbxevent")
            vacuum_seconds = round(time.perf_counter() - started, 2)

        sizes = _sizes(connection)
        rows = retention_table_rows()
        newest = Delivery.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
        reads = {"deliveries_page_ms": _median_ms(client, "/deliveries/", args.reads),
                 "delivery_page_ms": _median_ms(client, f"/deliveries/{newest}/", args.reads)}
        line = {"day": day + 1, "insert_rows_per_s": round(inserted / insert_seconds),
                "purge_s": round(purge_seconds, 2), "vacuum_s": vacuum_seconds, "deleted": {k: v for k, v in purge.deleted.items() if v},
                "partitions_dropped": len(purge.partitions_dropped), "finished": purge.finished,
                "mb": {k: round(v / 2**20) for k, v in sizes.items()}, "rows": rows, **reads}
        summary.append(line)
        print(json.dumps(line), flush=True)

    print("\nday  insert rows/s  purge s  dropped  deliveries rows  MB: raw  catalogue  deliveries  attempts  "
          "total   deliveries page ms  delivery page ms")
    for line in summary:
        mb = line["mb"]
        print(f"{line['day']:>3}  {line['insert_rows_per_s']:>13,}  {line['purge_s']:>7}  {line['partitions_dropped']:>7}  "
              f"{line['rows']['deliveries']:>15,}  {mb['pbx_events']:>7}  {mb['catalogue_events']:>9}  "
              f"{mb['deliveries']:>10}  {mb['attempts']:>8}  {sum(mb.values()):>5}   {line['deliveries_page_ms']:>18}  "
              f"{line['delivery_page_ms']:>16}")


if __name__ == "__main__":
    main()
