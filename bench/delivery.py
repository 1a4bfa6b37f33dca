"""Delivery speed: native JSON events through ingest, a real Celery worker, receivers on loopback.

    .venv/bin/python bench/delivery.py --scenario max --calls 1500
    .venv/bin/python bench/delivery.py --scenario steady --rate 200 --seconds 30
    .venv/bin/python bench/delivery.py --scenario max --calls 1000 --delay-ms 200
    .venv/bin/python bench/delivery.py --scenario steady --rate 200 --seconds 30 --dead hang

Each call is four native events (call.incoming, user.ringing, call.answered, call.terminated)
pushed through ``events_ingest`` on PostgreSQL; ingest derives four catalogue events per call
and writes one delivery per (catalogue event, endpoint). A ``celery -A hub worker`` subprocess
on a private redis-server sends them to an asyncio receiver (bench/_receiver.py) that records
the time, port and webhook-id of every request. This process plays beat (the sweeper, every
WEBHOOK_SWEEP_SECONDS) and, at the end, accounts for every delivery by webhook-id.

``max``: the whole backlog is ingested with the worker stopped, then drained: deliveries/s is
the worker's rate alone. ``steady``: calls start at ``--rate``/4 per second, each call's events
``--gap`` seconds apart, while the worker runs; latency is from the push entering
``events_ingest`` to the receiver reading the request's head, for events pushed after the
first ``--warmup`` seconds.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _django import ROOT, setup

STAGES = (  # (kind, data): four pushes, four catalogue events per call
    ("call.incoming", {"caller_number": "+493012345", "did": "+493099999"}),
    ("user.ringing", {"user": "100", "user_name": "Ann"}),
    ("call.answered", {"user": "100", "user_name": "Ann"}),
    ("call.terminated", {"reason": "hangup"}),
)
TRIGGERS = ["user_inbound", "call_direct", "user_inbound_answered", "user_inbound_completed"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def redis_server(directory: Path):
    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)],
                            stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)


@contextmanager
def receiver(args: argparse.Namespace, out: Path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_receiver.py"), "--ports", str(args.endpoints),
                             "--hang-ports", str(int(args.dead == "hang")), "--delay-ms", str(args.delay_ms),
                             "--out", str(out), "--max-seconds", str(args.max_seconds)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    ports = json.loads(proc.stdout.readline())
    try:
        yield ports
    finally:
        proc.stdin.close()  # the receiver writes its receipts and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _stop(proc)


@contextmanager
def workers(args: argparse.Namespace, log_dir: Path):
    procs = []
    for n in range(args.workers):
        log = open(log_dir / f"worker{n}.log", "wb")
        procs.append((subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hub", "worker", "--pool", args.pool, "--concurrency",
             str(args.concurrency), "--hostname", f"bench{n}@%h", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log))
    try:
        yield
    finally:
        for proc, log in procs:
            _stop(proc)
            log.close()


def schedule(args: argparse.Namespace) -> list[tuple[float, int, int]]:
    """(seconds from start, call number, stage), in push order."""
    if args.scenario == "max":
        return sorted((0.0, call, stage) for call in range(args.calls) for stage in range(len(STAGES)))
    calls = int(args.rate / len(STAGES) * args.seconds)
    start_every = len(STAGES) / args.rate
    return sorted((call * start_every + stage * args.gap, call, stage)
                  for call in range(calls) for stage in range(len(STAGES)))


def native_push(items: list[tuple[float, int, int]], base: datetime) -> list[dict]:
    return [{"id": f"bench-{call}-{stage}", "kind": STAGES[stage][0], "pbx_call_id": str(100000 + call),
             "occurred_at": (base + timedelta(seconds=call * 0.01 + stage)).isoformat(), "data": STAGES[stage][1]}
            for _, call, stage in items]


class Ingest:
    """Pushes the schedule through events_ingest, one transaction per push, and sweeps like beat."""

    def __init__(self, pbx, sweep_every: float) -> None:
        self.pbx = pbx
        self.pushed_at: dict[int, float] = {}  # catalogue event id -> time the push entered ingest
        self.committed_at: dict[int, float] = {}  # catalogue event id -> time its transaction committed
        # catalogue event id -> when the oldest event of its push was due by the plan (the wait
        # for this loop's previous push included: the strictest of the three latencies)
        self.due_at: dict[int, float] = {}
        self.busy = 0.0
        self.sweep_every = sweep_every
        self._next_sweep = time.monotonic() + sweep_every

    def push(self, items, due_at: float | None = None) -> None:
        from hub.services.ingest import events_ingest
        from integrations.native_json import parse_native_push

        started, clock = time.time(), time.perf_counter()
        result = events_ingest(pbx=self.pbx, events=parse_native_push(native_push(items, BASE)))
        self.busy += time.perf_counter() - clock
        committed = time.time()
        self.pushed_at.update((e.pk, started) for e in result.catalogue_events)
        self.committed_at.update((e.pk, committed) for e in result.catalogue_events)
        self.due_at.update((e.pk, due_at or started) for e in result.catalogue_events)

    def sweep_if_due(self) -> None:
        from hub.services.delivery import deliveries_sweep

        if time.monotonic() >= self._next_sweep:
            deliveries_sweep()
            self._next_sweep = time.monotonic() + self.sweep_every

    def run(self, plan, *, batch: int, tick: float) -> None:
        started, started_wall = time.monotonic(), time.time()
        i = 0
        while i < len(plan):
            now = time.monotonic() - started
            due = [p for p in plan[i:i + batch] if p[0] <= now]
            if due:
                self.push(due, due_at=started_wall + due[0][0])
                i += len(due)
            else:
                time.sleep(min(tick, plan[i][0] - now))
            self.sweep_if_due()


def open_count(endpoint_ids) -> int:
    from hub.models import Delivery, DeliveryStatus
    return Delivery.objects.filter(endpoint_id__in=endpoint_ids,
                                   status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).count()


def wait_drained(ingest: Ingest, endpoint_ids, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if open_count(endpoint_ids) == 0:
            return True
        ingest.sweep_if_due()
        time.sleep(0.2)
    return False


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(args, ingest: Ingest, receipts_path: Path, healthy_ports: dict[int, int], dead_ids: list[int],
           drained: bool, window: tuple[float, float]) -> None:
    from hub.models import Attempt, Delivery, DeliveryStatus

    receipts = defaultdict(list)  # webhook-id -> [(time, port, crc)]
    for line in receipts_path.read_text().splitlines():
        at, port, message_id, crc = line.split("\t")
        receipts[message_id].append((float(at), int(port), int(crc)))
    rows = list(Delivery.objects.filter(is_test=False).values_list(
        "message_id", "endpoint_id", "event_id", "status", "attempt_count"))
    order_keys = {m: (e, c, s, pk) for m, e, c, s, pk in Delivery.objects.filter(is_test=False).values_list(
        "message_id", "endpoint_id", "call_id", "sequence", "pk")}
    healthy = [r for r in rows if r[1] in healthy_ports.values()]
    port_of = {endpoint_id: port for port, endpoint_id in healthy_ports.items()}
    open_ = [r for r in healthy if r[3] in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)]
    open_ids = {r[0] for r in open_}
    lost = [r for r in healthy if r[0] not in receipts and r[0] not in open_ids]
    wrong_port = [r for r in healthy if r[0] in receipts and any(p != port_of[r[1]] for _, p, _ in receipts[r[0]])]
    duplicates = sum(len(receipts[r[0]]) - 1 for r in healthy if r[0] in receipts)
    changed_body = sum(1 for r in healthy if len({c for _, _, c in receipts.get(r[0], [])}) > 1)
    known = {r[0] for r in rows}
    unknown = sum(len(v) for k, v in receipts.items() if k not in known)
    firsts = sorted(min(t for t, _, _ in receipts[r[0]]) for r in healthy if r[0] in receipts)
    start, end = window
    # Latency counts the events pushed after the warm-up (the worker's threads open their
    # database connections, first plans and code paths): a hub runs for days, and the target
    # is about sustained traffic. The warm-up's worst case is printed on its own line.
    warmup_end = start + args.warmup if args.scenario == "steady" else 0
    measured = [r for r in healthy if r[0] in receipts and ingest.pushed_at.get(r[2], 0) >= warmup_end]
    warming = [r for r in healthy if r[0] in receipts and ingest.pushed_at.get(r[2], 0) < warmup_end]

    def since(stamps: dict, rows) -> list[float]:
        return [(min(t for t, _, _ in receipts[r[0]]) - stamps[r[2]]) * 1000 for r in rows if r[2] in stamps]

    latencies, scheduled = since(ingest.pushed_at, measured), since(ingest.due_at, measured)
    # From the commit: the delivery engine's share (wake-up, claim, send), without ingest's own time.
    after_commit = since(ingest.committed_at, measured)
    warmup_latencies = since(ingest.pushed_at, warming)
    in_window = [t for t in firsts if start <= t <= end]
    span = (firsts[-1] - firsts[0]) if len(firsts) > 1 else float("nan")
    per_second = Counter(int(t - firsts[0]) for t in firsts) if firsts else Counter()
    full_seconds = [per_second[s] for s in range(1, max(per_second, default=0))]  # not the first and last
    statuses = Counter(r[3] for r in healthy)
    # Per-call order: each call's deliveries to an endpoint reach the receiver in sequence order.
    by_call = defaultdict(list)
    for message_id, (endpoint_id, call_id, sequence, pk) in order_keys.items():
        if call_id is not None and message_id in receipts:
            by_call[(endpoint_id, call_id)].append(((sequence, pk), min(t for t, _, _ in receipts[message_id])))
    out_of_order = 0
    for items in by_call.values():
        times = [at for _, at in sorted(items)]
        out_of_order += sum(1 for earlier, later in zip(times, times[1:]) if later < earlier)
    attempts = Attempt.objects.filter(delivery__is_test=False).count()
    counted = sum(r[4] for r in rows)
    print(f"healthy deliveries: {len(healthy)} to {len(healthy_ports)} endpoints; statuses {dict(statuses)}; "
          f"drained: {drained}")
    print(f"received: {len(firsts)} first copies; not yet sent when the bench gave up {len(open_)}; "
          f"lost {len(lost)}, duplicates {duplicates} "
          f"(body changed on {changed_body}), wrong endpoint {len(wrong_port)}, unknown webhook-id {unknown}")
    print(f"attempts logged: {attempts} rows for {counted} attempts counted on deliveries")
    print(f"per-call order: {out_of_order} deliveries received before an earlier one of their call "
          f"({len(by_call)} (endpoint, call) pairs)")
    print(f"deliveries/s: {len(firsts) / span:,.0f} first-to-last receipt ({span:.1f} s); "
          f"{len(in_window) / max(end - start, 1e-9):,.0f} over the {args.scenario} window ({end - start:.1f} s); "
          f"per full second median {statistics.median(full_seconds) if full_seconds else float('nan'):,.0f}, "
          f"min {min(full_seconds, default=float('nan')):,.0f}")
    if args.scenario == "steady":
        print(f"latency below: the {len(latencies)} deliveries of events pushed after the first {args.warmup:g} s "
              f"(warm-up: {len(warmup_latencies)} deliveries, ingest-to-receipt max "
              f"{max(warmup_latencies, default=float('nan')):.1f} ms)")
    print(f"ingest-to-receipt latency ms: p50 {pct(latencies, 50):.1f}, p90 {pct(latencies, 90):.1f}, "
          f"p99 {pct(latencies, 99):.1f}, max {max(latencies, default=float('nan')):.1f}")
    print(f"schedule-to-receipt latency ms: p50 {pct(scheduled, 50):.1f}, p90 {pct(scheduled, 90):.1f}, "
          f"p99 {pct(scheduled, 99):.1f}, max {max(scheduled, default=float('nan')):.1f}")
    print(f"commit-to-receipt latency ms: p50 {pct(after_commit, 50):.1f}, p90 {pct(after_commit, 90):.1f}, "
          f"p99 {pct(after_commit, 99):.1f}, max {max(after_commit, default=float('nan')):.1f}")
    if dead_ids:
        dead = Counter(r[3] for r in rows if r[1] in dead_ids)
        print(f"dead endpoint ({args.dead}): deliveries {dict(dead)}, "
              f"attempts {Attempt.objects.filter(delivery__endpoint_id__in=dead_ids).count()}")


BASE = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)


def pg_snapshot() -> dict:
    """The cluster's WAL position and counters, and this database's transaction and row counters
    (after a pause: backends report their statistics at most once a second)."""
    from django.db import connection

    time.sleep(2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, w.wal_records, w.wal_fpi, w.wal_bytes, "
                       "d.xact_commit, d.tup_inserted, d.tup_updated, d.tup_deleted "
                       "FROM pg_stat_wal w, pg_stat_database d WHERE d.datname = current_database()")
        names = ("lsn", "wal_records", "wal_fpi", "wal_bytes", "commits", "inserted", "updated", "deleted")
        return dict(zip(names, (int(v) for v in cursor.fetchone())))


def pg_report(phase: str, before: dict, after: dict, per: dict[str, int]) -> None:
    delta = {k: after[k] - before[k] for k in before}
    print(f"PostgreSQL, {phase}: WAL {delta['lsn']:,} bytes by LSN ({delta['wal_bytes']:,} by pg_stat_wal, "
          f"{delta['wal_records']:,} records, {delta['wal_fpi']:,} full-page images); {delta['commits']:,} commits; "
          f"rows inserted {delta['inserted']:,}, updated {delta['updated']:,}, deleted {delta['deleted']:,}")
    for name, count in per.items():
        if count:
            print(f"  per {name} ({count:,}): WAL {delta['lsn'] / count:,.0f} bytes, "
                  f"{delta['wal_records'] / count:.1f} WAL records, {delta['commits'] / count:.2f} commits, "
                  f"{(delta['inserted'] + delta['updated'] + delta['deleted']) / count:.1f} rows written")


@contextmanager
def private_postgres():
    """A throw-away PostgreSQL cluster of our own, so the WAL counters are this run's alone
    (the machine's shared server is busy with others' work)."""
    sys.path.insert(0, str(ROOT))
    from tests.services import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        yield server.url()
    finally:
        server.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["max", "steady"], default="max")
    parser.add_argument("--calls", type=int, default=1500, help="max: calls in the backlog (4 events each)")
    parser.add_argument("--rate", type=float, default=200, help="steady: catalogue events per second")
    parser.add_argument("--seconds", type=float, default=30, help="steady: how long calls keep starting")
    parser.add_argument("--warmup", type=float, default=3,
                        help="steady: latency leaves out events pushed in the first this many seconds")
    parser.add_argument("--gap", type=float, default=0.5, help="steady: seconds between a call's events")
    parser.add_argument("--endpoints", type=int, default=4, help="healthy receivers, each subscribed to all")
    parser.add_argument("--delay-ms", type=float, default=0, help="the receivers answer after this long")
    parser.add_argument("--dead", choices=["none", "refused", "hang"], default="none",
                        help="one more endpoint, subscribed to all, that refuses connections or never answers")
    parser.add_argument("--max-concurrency", type=int, default=32, help="each endpoint's max concurrency")
    parser.add_argument("--timeout", type=int, default=5, help="each endpoint's timeout, seconds")
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=32, help="worker pool size")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--batch", type=int, default=400, help="at most this many native events per push")
    parser.add_argument("--drain-seconds", type=float, default=180, help="give up waiting for the backlog after")
    parser.add_argument("--max-seconds", type=float, default=900, help="hard stop for the receiver")
    parser.add_argument("--db-name", default="hub_bench_delivery", help="the throw-away PostgreSQL database")
    parser.add_argument("--pg-stats", action="store_true",
                        help="max: print WAL, commits and rows written per event (ingest) and per delivery (drain)")
    parser.add_argument("--private-postgres", action="store_true",
                        help="run on a PostgreSQL cluster of the bench's own (initdb), for clean WAL figures")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-delivery-"))
    with ExitStack() as outer, ExitStack() as stack:
        broker = stack.enter_context(redis_server(tmp))
        if args.private_postgres:  # outlives the stack: the report reads it
            os.environ["BENCH_POSTGRES_URL"] = outer.enter_context(private_postgres())
        os.environ.update({
            "CELERY_BROKER_URL": broker, "DEBUG": "0", "SECRET_KEY": "bench-delivery-not-secret-" + "x" * 40,
            "HUB_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"throw-away bench db: no secrets!").decode(),
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        })
        database = setup("postgres", args.db_name)
        from hub.services.accounts import account_create, pbx_create
        from hub.services.delivery import webhook_endpoint_create

        ports = stack.enter_context(receiver(args, tmp / "receipts.tsv"))
        account = account_create(name="Bench", slug="bench")
        pbx, _ = pbx_create(account=account, name="Bench PBX", slug="bench-pbx", timezone="+00:00")

        def endpoint(port: int) -> int:
            created, _ = webhook_endpoint_create(
                account=account, url=f"http://127.0.0.1:{port}/hook", triggers=TRIGGERS, actor="bench",
                dialect="json", secret_token="bench-token-123456", max_concurrency=args.max_concurrency,
                timeout_seconds=args.timeout)
            return created.pk

        healthy = {port: endpoint(port) for port in ports["ports"]}
        dead_port = {"refused": free_port, "hang": lambda: ports["hang"][0]}.get(args.dead)
        dead_ids = [endpoint(dead_port())] if dead_port else []
        from django.conf import settings
        from hub.gc_startup import startup_objects_freeze

        startup_objects_freeze()  # this process stands in for the hub's ingest processes, which do it too
        ingest = Ingest(pbx, settings.WEBHOOK_SWEEP_SECONDS)
        plan = schedule(args)
        print(f"database: {database.split('://')[0]}, broker: redis (private), worker: {args.workers} x "
              f"--pool {args.pool} --concurrency {args.concurrency}; {len(healthy)} endpoints"
              f"{' + 1 dead (' + args.dead + ')' if dead_ids else ''}, receiver delay {args.delay_ms:g} ms")
        if args.scenario == "max":
            clock = time.perf_counter()
            before_ingest = pg_snapshot() if args.pg_stats else None
            ingest.run(plan, batch=args.batch, tick=0.01)
            print(f"backlog: {len(plan)} native events ingested in {time.perf_counter() - clock:.1f} s, "
                  f"{len(ingest.pushed_at)} catalogue events")
            before_drain = pg_snapshot() if args.pg_stats else None
            with workers(args, tmp):
                start = time.time()
                drained = wait_drained(ingest, list(healthy.values()), args.drain_seconds)
                end = time.time()
                after_drain = pg_snapshot() if args.pg_stats else None
            if args.pg_stats:
                from hub.models import Delivery
                deliveries = Delivery.objects.count()
                pg_report("ingest (this process, no worker)", before_ingest, before_drain,
                          {"native event": len(plan), "catalogue event": len(ingest.pushed_at), "delivery": deliveries})
                pg_report("delivery (the workers; this process polls the count every 0.2 s)", before_drain,
                          after_drain, {"delivery": deliveries})
        else:
            with workers(args, tmp):
                time.sleep(3)  # the worker connects to Redis and PostgreSQL
                start = time.time()
                ingest.run(plan, batch=args.batch, tick=0.005)
                end = time.time()
                print(f"ingest: {len(plan)} native events in {end - start:.1f} s "
                      f"({len(ingest.pushed_at) / (end - start):,.0f} catalogue events/s, "
                      f"ingest busy {ingest.busy / (end - start):.0%} of the time)")
                drained = wait_drained(ingest, list(healthy.values()), args.drain_seconds)
        stack.close()  # receiver writes its receipts; broker and workers are gone
        report(args, ingest, tmp / "receipts.tsv", healthy, dead_ids, drained, (start, end))
    print(f"logs: {tmp}")


if __name__ == "__main__":
    main()
