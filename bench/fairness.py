"""Fairness at scale: many accounts and endpoints, a tail of them slow or hanging, two workers.

    .venv/bin/python bench/fairness.py                                   # 1,000 accounts, 3,000 endpoints
    .venv/bin/python bench/fairness.py --slow-share 0 --hang-share 0     # the same without slow ones
    .venv/bin/python bench/fairness.py --engine pump                     # the per-endpoint pumps

Each account has a PBX and ``--endpoints-per-account`` endpoints (3), each subscribed to the
four triggers of a call. Calls start spread over the accounts so that ``--rate`` catalogue
events per second (200) are written, a call's four events ``--gap`` seconds apart; each event
goes to its account's endpoints (600 deliveries/s). ``--slow-share`` of the endpoints (10 %)
answer after ``--slow-ms`` (2 s), ``--hang-share`` (1 %) never answer (the hub's timeout,
``--timeout`` s, ends each attempt), the rest answer at once. ``--workers`` (2) real
``celery -A hub worker --pool threads --concurrency 32`` processes deliver, with
``WEBHOOK_ENGINE=--engine``; this process plays beat (the sweeper every WEBHOOK_SWEEP_SECONDS).

Events are written as ingest's last step writes them (hub.services.delivery.deliveries_create
in the transaction that stores the catalogue events, which wakes their endpoints on commit),
one transaction per tick for the events due: the assembly before it is not what is measured.
Latency is from the start of that transaction to the receiver reading the request's head, for
the fast endpoints' deliveries of events written after ``--warmup`` s; the receiver records
every request (time, port, webhook-id), so every delivery is accounted for by webhook-id: lost,
duplicated, and per-call order (each call's deliveries to an endpoint in sequence order).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _django import ROOT, setup
from delivery import _stop, pct, redis_server

TRIGGERS = ["user_inbound", "call_direct", "user_inbound_answered", "user_inbound_completed"]


@contextmanager
def receiver(args: argparse.Namespace, out: Path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_receiver.py"), "--ports", "1",
                             "--slow-ports", "1", "--slow-ms", str(args.slow_ms), "--hang-ports", "1",
                             "--out", str(out), "--max-seconds", "1800"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    ports = json.loads(proc.stdout.readline())
    try:
        yield ports
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _stop(proc)


@contextmanager
def workers(args: argparse.Namespace, log_dir: Path):
    procs = []
    env = {**os.environ, "WEBHOOK_ENGINE": args.engine}
    for n in range(args.workers):
        log = open(log_dir / f"worker{n}.log", "wb")
        procs.append((subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hub", "worker", "--pool", "threads", "--concurrency",
             str(args.concurrency), "--hostname", f"fair{n}@%h", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log))
    try:
        yield [proc for proc, _ in procs]
    finally:
        for proc, log in procs:
            _stop(proc, timeout=60)
            log.close()


def wait_ready(count: int, limit: float = 120) -> None:
    """Until every worker answers a ping (connected to the broker, consuming)."""
    from hub.celery import app

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0)) >= count:
            return
    raise SystemExit(f"the {count} workers did not answer a ping within {limit:g} s")


def cpu_seconds(pids) -> float:
    """User + system CPU of these processes and their children that exited, from /proc."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])
    return total / tick


def populate(args, ports):
    """Accounts, PBXs, endpoints (which kind each is) and the calls the run will use."""
    from django.db import transaction

    from hub.models import Call, WebhookEndpoint
    from hub.services.accounts import account_create, pbx_create
    from hub.services.delivery import webhook_endpoint_create

    rng = random.Random(args.seed)
    total = args.accounts * args.endpoints_per_account
    kinds = ["hang"] * round(total * args.hang_share) + ["slow"] * round(total * args.slow_share)
    kinds += ["fast"] * (total - len(kinds))
    rng.shuffle(kinds)
    url = {"fast": f"http://127.0.0.1:{ports['ports'][0]}", "slow": f"http://127.0.0.1:{ports['slow'][0]}",
           "hang": f"http://127.0.0.1:{ports['hang'][0]}"}
    pbxs, kind_of = [], {}
    with transaction.atomic():  # one commit for the lot: the set-up is not what is measured
        for a in range(args.accounts):
            account = account_create(name=f"Account {a}", slug=f"acct-{a}")
            pbx, _ = pbx_create(account=account, name="PBX", slug=f"pbx-{a}", timezone="+00:00")
            pbxs.append(pbx)
            for e in range(args.endpoints_per_account):
                kind = kinds[a * args.endpoints_per_account + e]
                endpoint, _ = webhook_endpoint_create(
                    account=account, url=f"{url[kind]}/hook/{a}/{e}", triggers=TRIGGERS, actor="bench",
                    dialect="json", timeout_seconds=args.timeout)
                kind_of[endpoint.pk] = kind
        calls_total = int(args.rate / len(TRIGGERS) * args.seconds)
        now = datetime.now(timezone.utc)
        calls = Call.objects.bulk_create([
            Call(account_id=pbxs[n % len(pbxs)].account_id, pbx=pbxs[n % len(pbxs)], unique_call_id=f"fair_{n}",
                 pbx_call_id=str(n), direction="inbound", call_start_at=now, last_event_at=now)
            for n in range(calls_total)])
    assert WebhookEndpoint.objects.count() == total
    return calls, kind_of


def plan(args, calls) -> list[tuple[float, int, int]]:
    """(seconds from start, call index, stage), in time order: calls start evenly, rotating over
    the accounts (call n belongs to account n mod accounts)."""
    start_every = len(TRIGGERS) / args.rate
    return sorted((n * start_every + stage * args.gap, n, stage) for n in range(len(calls))
                  for stage in range(len(TRIGGERS)))


def write_events(items, calls, written_at: dict, seq=[0]) -> None:
    from django.db import transaction

    from hub.catalogue import CATALOGUE
    from hub.models import CatalogueEvent
    from hub.services.delivery import deliveries_create

    started = time.time()
    with transaction.atomic():
        events = []
        for _, n, stage in items:
            call, trigger = calls[n], TRIGGERS[stage]
            seq[0] += 1
            events.append(CatalogueEvent(account_id=call.account_id, pbx_id=call.pbx_id, call=call,
                                         key=f"fair-{n}-{stage}", trigger=trigger, sequence=stage + 1,
                                         occurred_at=datetime.now(timezone.utc),
                                         payload=dict(CATALOGUE[trigger].sample) | {"unique_call_id": call.unique_call_id}))
        CatalogueEvent.objects.bulk_create(events)
        deliveries_create(events=events)
    written_at.update((e.pk, started) for e in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--endpoints-per-account", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200, help="catalogue events per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long calls keep starting")
    parser.add_argument("--warmup", type=float, default=5, help="latency leaves out the first this many seconds")
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between a call's events")
    parser.add_argument("--slow-share", type=float, default=0.10)
    parser.add_argument("--slow-ms", type=float, default=2000)
    parser.add_argument("--hang-share", type=float, default=0.01)
    parser.add_argument("--timeout", type=int, default=10, help="every endpoint's timeout, seconds")
    parser.add_argument("--engine", choices=["loop", "pump"], default="loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--tick", type=float, default=0.02, help="events due are written every this often")
    parser.add_argument("--drain-seconds", type=float, default=60, help="wait for the fast endpoints after")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--db-name", default="hub_bench_fairness")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-fairness-"))
    with ExitStack() as stack:
        broker = stack.enter_context(redis_server(tmp))
        os.environ.update({
            "CELERY_BROKER_URL": broker, "DEBUG": "0", "SECRET_KEY": "bench-fairness-not-secret-" + "x" * 40,
            "HUB_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"throw-away bench db: no secrets!").decode(),
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "LOG_LEVEL": "WARNING",
        })
        database = setup("postgres", args.db_name)
        import logging
        logging.getLogger("hub").setLevel(logging.WARNING)
        from django.conf import settings

        from hub.models import Attempt, Delivery, DeliveryStatus
        from hub.services.delivery import deliveries_sweep

        ports = stack.enter_context(receiver(args, tmp / "receipts.tsv"))
        clock = time.perf_counter()
        calls, kind_of = populate(args, ports)
        kinds = Counter(kind_of.values())
        schedule = plan(args, calls)
        print(f"database: {database.split('://')[0]}; {args.accounts} accounts, {len(kind_of)} endpoints "
              f"({kinds['fast']} fast, {kinds['slow']} answering in {args.slow_ms:g} ms, {kinds['hang']} hanging, "
              f"timeout {args.timeout} s); {len(schedule)} events at {args.rate:g}/s over {args.seconds:g} s; "
              f"{args.workers} x celery worker --pool threads --concurrency {args.concurrency}, "
              f"WEBHOOK_ENGINE={args.engine} (set up in {time.perf_counter() - clock:.0f} s)")
        written_at: dict[int, float] = {}
        procs = stack.enter_context(workers(args, tmp))
        wait_ready(args.workers)
        cpu_before = cpu_seconds([p.pid for p in procs])
        started, i, next_sweep = time.monotonic(), 0, time.monotonic() + settings.WEBHOOK_SWEEP_SECONDS
        started_wall = time.time()
        while i < len(schedule):
            now = time.monotonic() - started
            j = i
            while j < len(schedule) and schedule[j][0] <= now:
                j += 1
            if j > i:
                write_events(schedule[i:j], calls, written_at)
                i = j
            else:
                time.sleep(min(args.tick, schedule[i][0] - now))
            if time.monotonic() >= next_sweep:
                deliveries_sweep()
                next_sweep = time.monotonic() + settings.WEBHOOK_SWEEP_SECONDS
        ended = time.monotonic() - started
        fast = [k for k, v in kind_of.items() if v == "fast"]
        deadline = time.monotonic() + args.drain_seconds
        while time.monotonic() < deadline and Delivery.objects.filter(
                endpoint_id__in=fast, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).exists():
            time.sleep(0.5)
            if time.monotonic() >= next_sweep:
                deliveries_sweep()
                next_sweep = time.monotonic() + settings.WEBHOOK_SWEEP_SECONDS
        cpu = cpu_seconds([p.pid for p in procs]) - cpu_before
        print(f"wrote {len(written_at)} events in {ended:.1f} s ({len(written_at) / ended:.0f}/s); "
              f"workers' CPU {cpu:.1f} s")
        stack.close()  # workers stop; the receiver writes its receipts

        receipts = defaultdict(list)
        for line in (tmp / "receipts.tsv").read_text().splitlines():
            at, _port, message_id, _crc = line.split("\t")
            receipts[message_id].append(float(at))
        rows = list(Delivery.objects.filter(is_test=False).values_list(
            "message_id", "endpoint_id", "event_id", "call_id", "sequence", "status"))
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[kind_of[row[1]]].append(row)
        latencies, order = [], defaultdict(list)
        warm = started_wall + args.warmup
        for message_id, endpoint_id, event_id, call_id, sequence, status in rows:
            if message_id in receipts:
                order[(endpoint_id, call_id)].append((sequence, min(receipts[message_id])))
            if kind_of[endpoint_id] == "fast" and message_id in receipts and written_at.get(event_id, 0) >= warm:
                latencies.append((min(receipts[message_id]) - written_at[event_id]) * 1000)
        out_of_order = 0
        for items in order.values():
            times = [at for _, at in sorted(items)]
            out_of_order += sum(1 for a, b in zip(times, times[1:]) if b < a)
        for kind in ("fast", "slow", "hang"):
            kind_rows = by_kind[kind]
            if not kind_rows:
                continue
            got = [r for r in kind_rows if r[0] in receipts]
            duplicates = sum(len(receipts[r[0]]) - 1 for r in got)
            print(f"{kind}: {len(kind_rows)} deliveries, received {len(got)}, duplicates {duplicates}, "
                  f"statuses {dict(Counter(r[5] for r in kind_rows))}")
        fast_rows = by_kind["fast"]
        lost = sum(1 for r in fast_rows if r[0] not in receipts and r[5] == DeliveryStatus.DELIVERED)
        print(f"fast endpoints: delivered but never received {lost}; per-call order violations (all endpoints) "
              f"{out_of_order}; attempts logged {Attempt.objects.count()}")
        print(f"fast endpoints' write-to-receipt ms ({len(latencies)} deliveries after the first {args.warmup:g} s): "
              f"p50 {pct(latencies, 50):.1f}, p90 {pct(latencies, 90):.1f}, p99 {pct(latencies, 99):.1f}, "
              f"max {max(latencies, default=float('nan')):.1f}")
    print(f"logs: {tmp}")


if __name__ == "__main__":
    main()
