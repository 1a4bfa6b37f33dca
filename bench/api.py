"""Call-history API speed: 1,000,000 calls in PostgreSQL, the hub's get-user-calls through gunicorn,
next to what a Django developer would write instead (an idiomatic DRF ListAPIView).

    .venv/bin/python bench/api.py                      # load 1M calls (~2 min), then measure
    .venv/bin/python bench/api.py --skip-load          # measure again against the loaded database
    .venv/bin/python bench/api.py --skip-load --workers 4 --connections 1,4 --rounds 3 --targets history,drf,bare

Needs wrk (Debian package) and django-filter for the peer (`pip install -r requirements-bench.txt`).

Loading: the accounts, PBXes, directory, whitelist and key go through the services; calls and
user legs are written with COPY (secondary indexes dropped and rebuilt afterwards, FK triggers
off for the load), then VACUUM ANALYZE. Two accounts share extensions 100-139, so the account
filter is real work. Calls are spread over 2025 with weekday business-hour peaks.

Measuring: gunicorn serves the hub (DEBUG off, throttle rate set out of reach) with the bench
settings (`bench.api_settings`), which add two bench-only views to the hub's URLs
(`bench/api_urls.py`): `/bench/bare`, a DRF view returning a constant, and
`/bench/drf/user-calls`, the DRF peer: ListAPIView + ModelSerializer + django-filter FilterSet +
LimitOffsetPagination over the same tables, with the hub's own key auth and throttle. `wrk`
drives each target for --duration seconds, --rounds times per concurrency level, the targets
interleaved (their order alternating round to round), rotating through --variants requests
(page of 100, a 30-day range, two users, newest first; the peer gets the same pages through its
filter's parameters). It prints medians and spreads, server CPU per request (gunicorn + the
database's PostgreSQL backends, from /proc) and the ratio hub / peer. Only loopback is used.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "hub_bench_api"
BASE_URL = "postgres://postgres@127.0.0.1:5432"
# Fixed development secrets so the loader and the gunicorn workers agree on key hashes.
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.api_settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-api-secret-key-not-for-production",
    "HUB_ENCRYPTION_KEY": "2cJ0bXKQ9Pz7rGqk8nC0B3y2s8Q4tq8Lr0L0a2Zt8uU=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # Out of reach, over a one-second window: DRF's throttle keeps one timestamp per request in
    # the window, so a per-minute rate this high would make the list (and its pickling) the cost.
    "HUB_API_RATE": "100000/s",
    "LOG_LEVEL": "WARNING",
    # Plain HTTP on loopback: DEBUG off would otherwise redirect every request to https.
    "SECURE_SSL_REDIRECT": "0",
}
TZ_NAME = "Australia/Melbourne"
YEAR = 2025
USERS = [str(n) for n in range(100, 150)]  # 50 users on the bench account
OTHER_USERS = [str(n) for n in range(100, 140)]  # the other account reuses 100-139
FIRST_NAMES = ["Alex", "Sam", "Jo", "Kim", "Lee", "Max", "Ana", "José", "Mia", "Noah"]
LAST_NAMES = ["Smith", "Nguyen", "Álvarez", "Chen", "Brown", "Kelly", "Singh", "Rossi"]


def _django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("HUB_VAR_DIR", tempfile.mkdtemp(prefix="hub-bench-api-"))
    import django

    django.setup()


def _pg(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


# --- data --------------------------------------------------------------------------------

def _start_times(n: int, rng: random.Random, tz) -> list[datetime]:
    """n instants in YEAR: weekdays five times as busy as weekends, 8-18 local busier than night."""
    days = [date(YEAR, 1, 1) + timedelta(days=i) for i in range(365)]
    day_weights = [5 if d.weekday() < 5 else 1 for d in days]
    hour_weights = [1, 1, 1, 1, 1, 1, 2, 4, 12, 16, 16, 14, 12, 14, 16, 16, 12, 8, 4, 3, 2, 2, 1, 1]
    picked_days = rng.choices(days, day_weights, k=n)
    picked_hours = rng.choices(range(24), hour_weights, k=n)
    out = []
    for day, hour in zip(picked_days, picked_hours):
        local = datetime(day.year, day.month, day.day, hour, tzinfo=tz) + timedelta(seconds=rng.randrange(3600))
        out.append(local.astimezone(timezone.utc))
    out.sort()
    return out


def _ts(at: datetime | None) -> str:
    return "\\N" if at is None else at.strftime("%Y-%m-%d %H:%M:%S+00")


def _rows(*, n: int, account_id: int, pbx_id: int, users: list[str], first_call_id: int, first_leg_id: int,
          rng: random.Random, tz):
    """Yields (call line, [leg lines]) in COPY text format, consistent with how assembly fills them."""
    call_id, leg_id = first_call_id, first_leg_id
    for start in _start_times(n, rng, tz):
        local = start.astimezone(tz)
        unique = f"{local:%y%m%d%H%M%S}_{call_id}"
        roll = rng.random()
        legs = []  # (position, user, rang_at, answered_at, status, via_queue)
        if roll < 0.55:  # inbound: rings 1-3 users, one may answer
            direction = "inbound"
            caller, dest, did, trunk = f"04{rng.randrange(10**8):08d}", "0390001000", "0390001000", "Telstra SIP"
            caller_name = rng.choice(["", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"])
            rung = rng.sample(users, rng.choice((1, 1, 2, 3)))
            rang = start + timedelta(seconds=rng.randrange(1, 4))
            answered_by = rng.randrange(len(rung)) if rng.random() < 0.8 else None
            connected = rang + timedelta(seconds=rng.randrange(3, 25)) if answered_by is not None else None
            via_queue = "800" if len(rung) > 1 else ""
            for pos, user in enumerate(rung):
                ans = connected if pos == answered_by else None
                legs.append((pos, user, rang, ans, "answered" if ans else "missed", via_queue))
        elif roll < 0.90:  # outbound: the placing user only
            direction = "outbound"
            user = rng.choice(users)
            caller, dest, did, trunk, caller_name = user, f"04{rng.randrange(10**8):08d}", "", "Telstra SIP", ""
            connected = start + timedelta(seconds=rng.randrange(5, 30)) if rng.random() < 0.7 else None
            legs.append((0, user, None, None, "answered" if connected else "unanswered", ""))
        else:  # internal: caller and callee
            direction = "internal"
            a, b = rng.sample(users, 2)
            caller, dest, did, trunk, caller_name = a, b, "", "", ""
            rang = start + timedelta(seconds=1)
            connected = rang + timedelta(seconds=rng.randrange(2, 15)) if rng.random() < 0.75 else None
            legs.append((0, a, None, None, "answered" if connected else "unanswered", ""))
            legs.append((1, b, rang, connected, "answered" if connected else "missed", ""))
        talk = int(rng.expovariate(1 / 180)) + 5 if connected else 0
        ended = (connected + timedelta(seconds=talk)) if connected else start + timedelta(seconds=rng.randrange(10, 40))
        call_duration = int((ended - start).total_seconds())
        conversation = talk
        call_line = "\t".join((
            str(call_id), str(account_id), str(pbx_id), unique, str(call_id), direction, "ended", caller,
            caller_name, dest, did, trunk, _ts(start), _ts(connected), _ts(ended), str(call_duration),
            str(conversation), "\\N", "\\N", "", _ts(ended), _ts(ended), "")) + "\n"
        leg_lines = []
        for pos, user, rang_at, answered_at, status, via_queue in legs:
            leg_lines.append("\t".join((
                str(leg_id), str(account_id), str(pbx_id), str(call_id), _ts(start), str(pos), user, _ts(rang_at),
                _ts(answered_at), status, via_queue, "", "", "")) + "\n")
            leg_id += 1
        call_id += 1
        yield call_line, leg_lines


CALL_COLUMNS = ("id, account_id, pbx_id, unique_call_id, pbx_call_id, direction, state, caller_number, caller_name, "
                "dest_number, did, trunk, call_start_at, connected_at, ended_at, call_duration, "
                "conversation_duration, voicemail, callback, closed_reason, last_event_at, updated_at, "
                "legs_digest")  # empty: the first change to a call rewrites its legs in full
LEG_COLUMNS = ("id, account_id, pbx_id, call_id, call_start_at, position, \"user\", rang_at, answered_at, status, "
               "via_queue, via_ring_group, transfer, forwarded_from")


def load(*, calls: int, seed: int) -> None:
    import psycopg  # noqa: F401

    with _pg(f"{BASE_URL}/postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = f"{BASE_URL}/{DB_NAME}"
    _django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hub.models import PbxUser
    from hub.services.access import allowed_network_add
    from hub.services.accounts import account_create, pbx_create

    accounts = []
    for slug, users, share in (("bench", USERS, 0.85), ("other", OTHER_USERS, 0.15)):
        account = account_create(name=slug.title(), slug=slug)
        pbx, _ = pbx_create(account=account, name=f"{slug} PBX", slug=f"{slug}-pbx", timezone=TZ_NAME)
        allowed_network_add(account=account, address="127.0.0.1")
        rng = random.Random(f"{seed}-{slug}")
        PbxUser.objects.bulk_create([
            PbxUser(pbx=pbx, number=u, name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}") for u in users])
        accounts.append((account, pbx, users, int(calls * share)))
    accounts[-1] = (*accounts[-1][:3], calls - accounts[0][3])

    started = time.perf_counter()
    tz = ZoneInfo(TZ_NAME)
    n_calls = n_legs = 0
    with _pg(url) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('hub_call', 'hub_userleg') "
            "AND indexname NOT LIKE '%%_pkey'").fetchall()
        constraints = conn.execute(
            "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('hub_call'::regclass, 'hub_userleg'::regclass) AND contype = 'u'").fetchall()
        for name, table, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        constraint_names = {name for name, _, _ in constraints}
        indexes = [(name, definition) for name, definition in indexes if name not in constraint_names]
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        call_id = leg_id = 1
        for account, pbx, users, n in accounts:
            rng = random.Random(f"{seed}-calls-{account.slug}")
            with conn.cursor() as cur:
                with cur.copy(f"COPY hub_call ({CALL_COLUMNS}) FROM STDIN") as calls_copy:
                    leg_buffer: list[str] = []
                    call_buffer: list[str] = []
                    for call_line, leg_lines in _rows(n=n, account_id=account.pk, pbx_id=pbx.pk, users=users,
                                                      first_call_id=call_id, first_leg_id=leg_id, rng=rng, tz=tz):
                        call_buffer.append(call_line)
                        leg_buffer.extend(leg_lines)
                        if len(call_buffer) >= 20000:
                            calls_copy.write("".join(call_buffer))
                            call_buffer.clear()
                    calls_copy.write("".join(call_buffer))
                with cur.copy(f"COPY hub_userleg ({LEG_COLUMNS}) FROM STDIN") as legs_copy:
                    for i in range(0, len(leg_buffer), 50000):
                        legs_copy.write("".join(leg_buffer[i:i + 50000]))
            call_id += n
            leg_id += len(leg_buffer)
            n_calls += n
            n_legs += len(leg_buffer)
        copied = time.perf_counter() - started
        for name, table, definition in constraints:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("SELECT setval(pg_get_serial_sequence('hub_call', 'id'), %s)", (call_id,))
        conn.execute("SELECT setval(pg_get_serial_sequence('hub_userleg', 'id'), %s)", (leg_id,))
        indexed = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE hub_call")
        conn.execute("VACUUM ANALYZE hub_userleg")
        conn.execute("ANALYZE")  # the small tables too (directory, keys, whitelist)
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    total = time.perf_counter() - started
    print(f"loaded {n_calls:,} calls, {n_legs:,} user legs: COPY {copied:.1f} s, +indexes {indexed - copied:.1f} s, "
          f"+VACUUM ANALYZE {total - indexed:.1f} s = {total:.1f} s; database {size}")


# --- serving and measuring ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_key() -> str:
    from hub.models import Account, ApiKey
    from hub.services.api_keys import api_key_create

    account = Account.objects.get(slug="bench")
    ApiKey.objects.filter(account=account, name="bench").delete()
    return api_key_create(account=account, name="bench", scopes=["calls:read"])[1]


def _variants(n: int, seed: int) -> list[str]:
    rng = random.Random(f"{seed}-requests")
    paths = []
    for _ in range(n):
        first = date(YEAR, 1, 1) + timedelta(days=rng.randrange(330))
        a, b = rng.sample(USERS, 2)
        paths.append(f"/api/integration/v2/get-user-calls?from_date={first}&to_date={first + timedelta(days=29)}"
                     f"&user_numbers={a},{b}&limit=100")
    return paths


def _lua(paths: list[str], key: str) -> str:
    items = ",".join(json.dumps(p) for p in paths)
    return (f"local paths = {{{items}}}\nlocal i = 0\nwrk.headers[\"token\"] = {json.dumps(key)}\n"
            "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # four workers importing Django on a busy two-core machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 180 s")


def _check(port: int, path: str, key: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"token": key})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    if "results" in body:  # the DRF peer: LimitOffsetPagination's {"count", "next", "previous", "results"}
        return len(body["results"])
    assert body["status"] == "success", body
    return len(body["data"])


def _drf_path(hub_path: str) -> str:
    """The same page asked of the DRF peer (bench/api_urls.py): its filter's parameter names."""
    query = dict(parse_qsl(urlsplit(hub_path).query))
    return (f"/bench/drf/user-calls?user_numbers={query['user_numbers']}&call_start_at_after={query['from_date']}"
            f"&call_start_at_before={query['to_date']}&limit={query['limit']}")


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    """user + system CPU ticks of these processes so far (Linux /proc)."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = int(fields[11]) + int(fields[12])
    return out


def _server_pids(master: int) -> tuple[list[int], list[int]]:
    """The gunicorn master and workers; the PostgreSQL backends serving the bench database."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    with _pg(f"{BASE_URL}/postgres") as conn:
        backends = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (DB_NAME,))]
    return [master, *map(int, children)], backends


def _cpu_used(before: dict[int, int], after: dict[int, int]) -> float:
    # Backends come and go (CONN_MAX_AGE): a new one counts from zero; one that ended before
    # the end is undercounted, which only errs on the cheap side.
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / os.sysconf("SC_CLK_TCK")


def _wrk(port: int, script: Path, connections: int, duration: int, master: int | None = None) -> dict:
    web, db = _server_pids(master) if master else ([], [])
    web_before, db_before = _cpu_ticks(web), _cpu_ticks(db)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency",
                          "-s", str(script), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    if master:
        web_after, db_after = _cpu_ticks(_server_pids(master)[0]), _cpu_ticks(_server_pids(master)[1])
        cpu, db_cpu = _cpu_used(web_before, web_after), _cpu_used(db_before, db_after)
    else:
        cpu = db_cpu = 0.0
    requests = max(1, int(re.search(r"(\d+) requests in", out).group(1)))

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)), "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "",
            "web_ms": cpu * 1000 / requests, "db_ms": db_cpu * 1000 / requests,
            "cpu_ms": (cpu + db_cpu) * 1000 / requests}


TARGETS = {"history": "get-user-calls (hub)", "drf": "DRF ListAPIView peer", "bare": "bare endpoint"}


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(values: list[float], fmt: str = ",.1f") -> str:
    return f"{format(min(values), fmt)}-{format(max(values), fmt)}" if len(values) > 1 else format(values[0], fmt)


def measure(args) -> None:
    url = f"{BASE_URL}/{DB_NAME}"
    if "django" not in sys.modules or not os.environ.get("DATABASE_URL"):
        _django(url)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    key = _fresh_key()
    paths = _variants(args.variants, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-api-wrk-"))
    scripts = {"history": paths, "drf": [_drf_path(p) for p in paths], "bare": ["/bench/bare"]}
    for name, target_paths in scripts.items():
        (workdir / f"{name}.lua").write_text(_lua(target_paths, key))
    port = _free_port()
    command = [str(ROOT / ".venv/bin/gunicorn"), "hub.wsgi", "--chdir", str(args.root or ROOT), "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--log-level", "warning",
               "--backlog", "2048"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    env = os.environ | {"DATABASE_URL": url}
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        _wait_ready(port, server)
        for name in args.targets:
            rows = [_check(port, p, key) for p in scripts[name]]
            print(f"{TARGETS[name]}: {len(rows)} request variants, rows per page: min {min(rows)}, max {max(rows)}")
        print(f"gunicorn {args.worker_class} x{args.workers}"
              + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
              + f" on 127.0.0.1:{port}; {args.rounds} interleaved rounds of {args.duration} s per target")
        for name in args.targets:  # warm every worker's connection and caches
            _wrk(port, workdir / f"{name}.lua", max(args.connections), 3)
        for c in args.connections:
            runs: dict[str, list[dict]] = {name: [] for name in args.targets}
            for round_ in range(args.rounds):
                # Alternate the order so neither side always runs first after the other.
                for name in (args.targets if round_ % 2 == 0 else args.targets[::-1]):
                    runs[name].append(_wrk(port, workdir / f"{name}.lua", c, args.duration, server.pid))
            _report(c, runs)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _report(c: int, runs: dict[str, list[dict]]) -> None:
    for name, results in runs.items():
        rps = [r["rps"] for r in results]
        p99 = [r["p99"] for r in results]
        bad = sum(r["non2xx"] for r in results)
        errors = "; ".join(r["socket_errors"] for r in results if r["socket_errors"])
        print(f"c={c:<2} {TARGETS[name]:<22} req/s median {_median(rps):8.1f} ({_spread(rps)}), "
              f"p50 {_median([r['p50'] for r in results]):6.2f} ms, p99 median {_median(p99):6.2f} ms "
              f"(worst {max(p99):.2f}), server CPU/req {_median([r['cpu_ms'] for r in results]):.2f} ms "
              f"({_median([r['web_ms'] for r in results]):.2f} gunicorn + "
              f"{_median([r['db_ms'] for r in results]):.2f} PostgreSQL); non-2xx {bad}{'; ' + errors if errors else ''}")
    if "history" in runs and "drf" in runs:
        pairs = list(zip(runs["history"], runs["drf"]))
        ratios = [h["rps"] / d["rps"] for h, d in pairs]
        cpu = [d["cpu_ms"] / h["cpu_ms"] for h, d in pairs]
        p99 = _median([r["p99"] for r in runs["history"]])
        met = _median(ratios) >= 3 and p99 <= 25
        print(f"      hub / DRF peer: req/s x{_median(ratios):.2f} ({_spread(ratios, '.2f')} over the rounds), "
              f"server CPU per request x{_median(cpu):.2f} less; goal >= 3x with hub p99 <= 25 ms: "
              f"{'met' if met else 'NOT met'} (hub p99 median {p99:.2f} ms)")
    if "history" in runs and "bare" in runs:
        ratio = _median([h["rps"] / b["rps"] for h, b in zip(runs["history"], runs["bare"])])
        print(f"      hub / bare endpoint: {ratio:.0%}")


def main() -> None:
    global DB_NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-load", action="store_true", help="reuse the database a previous run loaded")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4])
    parser.add_argument("--targets", type=lambda s: s.split(","), default=["history", "drf"],
                        help="comma-separated, of: history (the hub), drf (the DRF peer), bare")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs of each target per concurrency")
    parser.add_argument("--duration", type=int, default=10, help="seconds per target, round and concurrency level")
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--db-name", default=DB_NAME, help="the PostgreSQL database to load and read (a name "
                                                          "of your own when others run this bench too)")
    parser.add_argument("--root", help="serve the hub from this copy of the tree (e.g. an export of an older "
                                       "commit, with bench/api_settings.py and bench/api_urls.py copied in)")
    args = parser.parse_args()
    DB_NAME = args.db_name
    if not args.skip_load:
        load(calls=args.calls, seed=args.seed)
    if not args.load_only:
        measure(args)


if __name__ == "__main__":
    main()
