"""The hub next to the Django webhook libraries, side by side: same PostgreSQL, Redis and receiver.

    python3 -m venv .venv-peers && .venv-peers/bin/pip install -r requirements-peers.txt   # once
    .venv/bin/python bench/peers.py                         # 2,000 deliveries a run, 3 rounds
    .venv/bin/python bench/peers.py --quick                 # 1 round, 400 deliveries, 10 s cap
    .venv/bin/python bench/peers.py --deliveries 10000 --rounds 3 --receivers 0

Systems, each with one worker process (the peers' Celery workers keep their pool children):

- ``hub``: native JSON events through ``events_ingest`` (as bench/delivery.py), then
  ``celery -A hub worker --pool threads --concurrency 32`` (the deployed command) drains them.
- ``django-webhook`` (Celery + requests): a model's ``post_save`` queues one task per webhook;
  configured as its install and Celery pages say (``DJANGO_WEBHOOK = {"MODELS": [...]}``, a
  signing secret, the default worker ``celery -A proj worker -Q celery``: prefork, one child per core).
- ``django-webhook-subscriber``: ``send_webhooks(instance, "created")`` from ``post_save`` (its
  "Django Signals" pattern), Redis as Celery broker, result backend and Django cache, and its
  "Production Deployment" Celery settings; the default worker.
- ``django-webhook-threads`` (and, with ``--systems``, ``django-webhook-subscriber-threads``): the
  same project with the hub's worker pool, ``--pool threads --concurrency 32``: not what the docs
  say, but what lets a Celery peer keep many slow requests in flight (the peer's best case).
- ``sequential``: the model of 3CXCallEventstoREST: one process, one keep-alive
  ``requests.Session``, one request after the other, no retry, no log.

The peers run in small Django projects that this script writes to a temporary folder, each with
its own database on the machine's PostgreSQL and the interpreter of ``--peers-python`` (their
pins conflict with the hub's: requirements-peers.txt). Django's ``CONN_MAX_AGE`` is 600 s there,
so a task does not open a database connection of its own (the peers' favour).

Each run: a fresh receiver (bench/_receiver.py, one port per endpoint, answering at once or
after ``--receivers`` ms), the backlog written with the worker stopped (each call is four events in
order; each event goes to every endpoint), then the worker started and timed until every delivery
arrived, or ``--run-seconds`` after the first one. Deliveries/s is first-to-last receipt; CPU is the
worker's process tree, the database's PostgreSQL backends and the private redis-server, sampled
from /proc and taken over the same first-to-last window (the worker's start-up stays out; so do
django-webhook-subscriber's fan-out tasks, which all run before its first delivery: in its favour;
the time to the first delivery is printed). The hub's sweeper runs in this process and is not
counted (it runs every few seconds). Exactly-once is checked by id at the receiver
(webhook-id for the hub, the event's ``message_id`` in the body for the peers), per-call order by
receipt times per endpoint and call, attempts logged from each system's own log table. Runs of
the systems are interleaved, their order rotated each round; medians and spreads are printed,
then the ratios hub / peer.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _django import ROOT, setup, teardown
from delivery import STAGES, TRIGGERS, Ingest, _stop, redis_server, schedule, workers

PG_BASE = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SYSTEMS = ["hub", "django-webhook", "django-webhook-threads", "django-webhook-subscriber", "sequential"]
OPTIONAL = ["django-webhook-subscriber-threads"]
THREADS = ["--pool", "threads", "--concurrency", "32"]  # the "-threads" variants: the hub's pool and size
ID_PATTERN = r'"message_id": ?"([^"]+)"'
TICK = os.sysconf("SC_CLK_TCK")

# --- the peers' projects (written to a temporary folder, never committed) ---------------------

SETTINGS = '''import os
SECRET_KEY = "bench-peer-not-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "peerproj.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", {apps}, "calls"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["PEER_DB"],
                          "HOST": "127.0.0.1", "USER": "postgres", "CONN_MAX_AGE": 600}}}}
CELERY_BROKER_URL = os.environ["PEER_REDIS"] + "/0"
LOGGING = {{"version": 1, "root": {{"level": "WARNING"}}}}
{extra}
'''
EXTRA = {
    "django-webhook": ('"django_webhook"', 'DJANGO_WEBHOOK = {"MODELS": ["calls.CallEvent"]}\n'),
    "django-webhook-subscriber": ('"django_webhook_subscriber"', '''CELERY_RESULT_BACKEND = os.environ["PEER_REDIS"] + "/0"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["PEER_REDIS"] + "/1"}}
'''),
}
CELERY = '''import os
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")
app = Celery("peerproj")
app.config_from_object("django.conf:settings", namespace="CELERY")
{extra}app.autodiscover_tasks()
'''
CELERY_EXTRA = {  # django-webhook-subscriber's "Production Deployment" settings
    "django-webhook-subscriber": '''app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json",
                timezone="UTC", enable_utc=True, task_track_started=True, worker_hijack_root_logger=False)
''',
}
MODELS = '''from django.db import models


class CallEvent(models.Model):
    message_id = models.CharField(max_length=64, unique=True)
    call = models.CharField(max_length=32, db_index=True)
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
'''
MIGRATION = '''from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.CreateModel(name="CallEvent", fields=[
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("message_id", models.CharField(max_length=64, unique=True)),
        ("call", models.CharField(db_index=True, max_length=32)),
        ("seq", models.PositiveSmallIntegerField()),
        ("kind", models.CharField(max_length=40)),
        ("data", models.JSONField(default=dict)),
        ("occurred_at", models.DateTimeField()),
    ])]
'''
APPS = '''from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        if {subscriber}:  # the library's "Django Signals" pattern
            from django.db.models.signals import post_save
            from django_webhook_subscriber import send_webhooks

            from calls.models import CallEvent

            def event_saved(sender, instance, created, **kwargs):
                send_webhooks(instance, "created" if created else "updated")

            post_save.connect(event_saved, sender=CallEvent, weak=False)
'''
# The backlog, written by the app side with the worker stopped: webhooks for the receiver's
# ports, then the calls' events in order (each save is what queues the library's tasks).
LOAD = '''import json, os, sys
from datetime import datetime, timedelta, timezone
import django
django.setup()
from calls.models import CallEvent
system, ports, calls, run = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
stages = json.loads(sys.argv[5])
CallEvent.objects.all().delete()
if system == "django-webhook":
    from django_webhook.models import Webhook, WebhookEvent, WebhookSecret, WebhookTopic
    WebhookEvent.objects.all().delete()
    Webhook.objects.all().delete()
    topic = WebhookTopic.objects.get(name="calls.CallEvent/create")
    for port in ports:
        webhook = Webhook.objects.create(url=f"http://127.0.0.1:{port}/hook")
        webhook.topics.set([topic])
        WebhookSecret.objects.create(webhook=webhook, token="bench-token-123456")
else:
    from django.contrib.contenttypes.models import ContentType
    from django_webhook_subscriber.models import WebhookDeliveryLog, WebhookSubscriber, WebhookSubscription
    WebhookDeliveryLog.objects.all().delete()
    WebhookSubscriber.objects.all().delete()
    content_type = ContentType.objects.get_for_model(CallEvent)
    for port in ports:
        subscriber = WebhookSubscriber.objects.create(
            name=f"receiver {port}", content_type=content_type, target_url=f"http://127.0.0.1:{port}/hook",
            secret="bench-token-123456", max_retries=3, retry_delay=60, timeout=5)
        WebhookSubscription.objects.create(subscriber=subscriber, event_name="created", is_active=True)
base = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)
for call in range(calls):
    for seq, (kind, data) in enumerate(stages):
        CallEvent.objects.create(message_id=f"r{run}-c{call}-s{seq}", call=str(100000 + call), seq=seq, kind=kind,
                                 data=data, occurred_at=base + timedelta(seconds=call * 0.01 + seq))
print(CallEvent.objects.count())
'''
# 3CXCallEventstoREST's delivery model: it posts each event as it reads it, to its URL(s),
# one request after the other on one keep-alive session, once.
SEQUENTIAL = '''import json, sys
from datetime import datetime, timedelta, timezone
import requests
ports, calls, run, stages = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
base = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)
session = requests.Session()
print("ready", flush=True)
sys.stdin.readline()
for call in range(calls):
    for seq, (kind, data) in enumerate(stages):
        body = json.dumps({"message_id": f"r{run}-c{call}-s{seq}", "call": str(100000 + call), "seq": seq,
                           "kind": kind, "data": data,
                           "occurred_at": (base + timedelta(seconds=call * 0.01 + seq)).isoformat()})
        for url in urls:
            try:
                session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=5)
            except requests.RequestException:
                pass
print("done", flush=True)
sys.stdin.read()
'''


def _pg(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(PG_BASE.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + f"/{dbname}",
                           autocommit=True)


class PeerProject:
    """One library's Django project in a temporary folder, with its own database."""

    def __init__(self, system: str, root: Path, python: str, redis_url: str) -> None:
        self.pool = THREADS if system.endswith("-threads") else []
        system = system.removesuffix("-threads")
        self.system, self.python = system, python
        self.dir = root / (system.replace("-", "_") + ("_threads" if self.pool else ""))
        self.db = f"hub_bench_peer_{self.dir.name}"
        self.env = os.environ | {"DJANGO_SETTINGS_MODULE": "peerproj.settings", "PEER_DB": self.db,
                                 "PEER_REDIS": redis_url.rsplit("/", 1)[0], "PYTHONPATH": str(self.dir)}
        for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
            self.env.pop(name, None)
        if system == "sequential":
            (self.dir).mkdir(parents=True)
            (self.dir / "sequential.py").write_text(SEQUENTIAL)
            return
        apps, extra = EXTRA[system]
        files = {
            "peerproj/__init__.py": "from .celery import app as celery_app\n",
            "peerproj/settings.py": SETTINGS.format(apps=apps, extra=extra),
            "peerproj/celery.py": CELERY.format(extra=CELERY_EXTRA.get(system, "")),
            "peerproj/urls.py": "urlpatterns = []\n",
            "calls/__init__.py": "",
            "calls/apps.py": APPS.format(subscriber=system == "django-webhook-subscriber"),
            "calls/models.py": MODELS,
            "calls/migrations/__init__.py": "",
            "calls/migrations/0001_initial.py": MIGRATION,
            "load.py": LOAD,
        }
        for name, text in files.items():
            (self.dir / name).parent.mkdir(parents=True, exist_ok=True)
            (self.dir / name).write_text(text)
        with _pg() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}"')
            conn.execute(f'CREATE DATABASE "{self.db}"')
        self._run("-m", "django", "migrate", "--verbosity", "0")

    def _run(self, *argv: str) -> str:
        done = subprocess.run([self.python, *argv], cwd=self.dir, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{self.system}: {' '.join(argv[:3])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def load(self, ports: list[int], calls: int, run: str) -> int:
        return int(self._run("load.py", self.system, json.dumps(ports), str(calls), run, json.dumps(STAGES)).split()[-1])

    @contextmanager
    def worker(self, log: Path):
        # The worker command of django-webhook's Celery page; prefork with one child per core.
        with open(log, "wb") as out:
            proc = subprocess.Popen([self.python, "-m", "celery", "-A", "peerproj", "worker", "-Q", "celery",
                                     "--loglevel", "WARNING", *self.pool], cwd=self.dir, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                yield proc.pid
            finally:
                _stop(proc)

    def logged(self) -> int:
        table = {"django-webhook": "django_webhook_webhookevent",
                 "django-webhook-subscriber": "django_webhook_subscriber_webhook_delivery_log"}[self.system]
        with _pg(self.db) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def drop(self) -> None:
        if self.system != "sequential":
            with _pg() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')


# --- measuring --------------------------------------------------------------------------------

def _children(pid: int) -> set[int]:
    out: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            out.update(int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            pass
    return out


def _tree(pid: int) -> set[int]:
    seen, todo = set(), [pid]
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(_children(p))
    return seen


def _ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


class CpuSampler(threading.Thread):
    """Every 0.2 s: the CPU ticks of a process tree, a database's backends and the broker, so the
    CPU of any time window (first to last receipt) can be read off afterwards. A process seen
    once keeps counting with its last reading after it is gone; one started between two samples
    counts from the first sample that saw it (both err on the cheap side, for every system alike)."""

    def __init__(self, roots: list[int], db: str | None, extra: list[int], exclude: set[int]) -> None:
        super().__init__(daemon=True)
        self.roots, self.db, self.extra, self.exclude = roots, db, extra, exclude
        self.samples: list[tuple[float, int]] = []
        self.last: dict[int, int] = {}
        self.halt = threading.Event()

    def _pids(self, conn) -> set[int]:
        pids = set(self.extra)
        for root in self.roots:
            pids |= _tree(root)
        if self.db:
            pids |= {row[0] for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db,))}
        return pids - self.exclude

    def sample(self, conn) -> None:
        for pid in self._pids(conn):
            ticks = _ticks(pid)
            if ticks is not None:
                self.last[pid] = max(ticks, self.last.get(pid, 0))
        self.samples.append((time.time(), sum(self.last.values())))

    def run(self) -> None:
        with _pg() as conn:
            while not self.halt.is_set():
                self.sample(conn)
                self.halt.wait(0.2)
            self.sample(conn)

    def stop(self) -> None:
        self.halt.set()
        self.join()

    def seconds(self, start: float, end: float) -> float:
        def at(t: float) -> float:
            times = [s[0] for s in self.samples]
            for (t0, v0), (t1, v1) in zip(self.samples, self.samples[1:]):
                if t0 <= t <= t1:
                    return v0 + (v1 - v0) * ((t - t0) / (t1 - t0) if t1 > t0 else 1)
            return self.samples[0][1] if t < times[0] else self.samples[-1][1]

        return (at(end) - at(start)) / TICK


class Receiver:
    """bench/_receiver.py as a subprocess: its ports, and its count of requests so far."""

    def __init__(self, endpoints: int, delay_ms: float, out: Path, max_seconds: float) -> None:
        self.out = out
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_receiver.py"), "--ports", str(endpoints), "--delay-ms",
             str(delay_ms), "--out", str(out), "--id-pattern", ID_PATTERN, "--max-seconds", str(max_seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.ports: list[int] = json.loads(self.proc.stdout.readline())["ports"]

    def count(self) -> int:
        self.proc.send_signal(signal.SIGUSR1)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the receiver exited (code {self.proc.poll()}); receipts in {self.out}")
        return int(line)

    def close(self) -> list[tuple[float, int, str]]:
        self.proc.stdin.close()  # the receiver writes its receipts and exits
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _stop(self.proc)
        rows = []
        for line in self.out.read_text().splitlines():
            at, port, message_id, _ = line.split("\t")
            rows.append((float(at), int(port), message_id))
        return rows


@dataclass
class Result:
    expected: int
    delivered: int = 0
    rate: float = float("nan")
    cpu_per_1000: float = float("nan")
    duplicates: int = 0
    unknown: int = 0
    out_of_order: int = 0  # (endpoint, call) pairs whose events arrived out of order
    logged: str = "no"
    capped: bool = False
    first_after: float = float("nan")  # seconds from the worker's start to the first delivery
    notes: list[str] = field(default_factory=list)


def _evaluate(result: Result, receipts, expected: dict[tuple[int, str], tuple], sampler: CpuSampler) -> Result:
    """``expected``: (port, id) -> (order group, position in the group)."""
    first: dict[tuple[int, str], float] = {}
    for at, port, message_id in receipts:
        key = (port, message_id)
        if key not in expected:
            result.unknown += 1
        elif key in first:
            result.duplicates += 1
        else:
            first[key] = at
    result.delivered = len(first)
    if len(first) > 1:
        start, end = min(first.values()), max(first.values())
        result.rate = (len(first) - 1) / (end - start)
        result.cpu_per_1000 = sampler.seconds(start, end) / (len(first) - 1) * 1000
    groups: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for key, at in first.items():
        group, position = expected[key]
        groups[group].append((at, position))
    result.out_of_order = sum(1 for arrivals in groups.values()
                              if [p for _, p in sorted(arrivals)] != sorted(p for _, p in arrivals))
    return result


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path, broker: str) -> None:
        self.args, self.tmp, self.broker = args, tmp, broker
        import redis

        self.redis = redis.Redis.from_url(broker.rsplit("/", 1)[0] + "/0")
        self.redis_pid = int(self.redis.info("server")["process_id"])
        self.projects = {s: PeerProject(s, tmp, args.peers_python, broker) for s in args.systems if s != "hub"}
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.own_backend = cursor.fetchone()[0]
        self.runs = 0

    def calls(self) -> int:
        return max(1, self.args.deliveries // (len(STAGES) * self.args.endpoints))

    def run(self, system: str, delay_ms: float) -> Result:
        self.runs += 1
        self.redis.flushall()
        receiver = Receiver(self.args.endpoints, delay_ms, self.tmp / f"receipts-{self.runs}.tsv",
                            self.args.start_seconds + self.args.run_seconds + 300)
        try:
            if system == "hub":
                return self._hub(receiver)
            if system == "sequential":
                return self._sequential(receiver)
            return self._peer(system, receiver)
        finally:
            if receiver.proc.poll() is None:
                _stop(receiver.proc)

    def _drain(self, receiver: Receiver, expected: int, sampler: CpuSampler, tick=None) -> tuple[bool, float]:
        """Waits for every delivery, at most --run-seconds after the first one arrived (and at most
        --start-seconds for that first one: django-webhook-subscriber first runs one fan-out task per
        event, all queued ahead of the deliveries they queue). Returns (drained, seconds to the first)."""
        started = time.monotonic()
        deadline = started + self.args.start_seconds
        first = float("nan")
        while time.monotonic() < deadline:
            count = receiver.count()
            if count and first != first:
                first = time.monotonic() - started
                deadline = time.monotonic() + self.args.run_seconds
            if count >= expected:
                break
            if tick:
                tick()
            time.sleep(0.1)
        time.sleep(1.0)  # late duplicates show up too
        sampler.stop()
        return receiver.count() >= expected, first

    def _hub(self, receiver: Receiver) -> Result:
        from hub.models import Attempt, Delivery
        from hub.services.accounts import account_create, pbx_create
        from hub.services.delivery import webhook_endpoint_create
        from django.conf import settings

        account = account_create(name=f"Peers {self.runs}", slug=f"peers-{self.runs}")
        pbx, _ = pbx_create(account=account, name="Bench PBX", slug=f"peers-pbx-{self.runs}", timezone="+00:00")
        endpoints = {}
        for port in receiver.ports:
            endpoint, _ = webhook_endpoint_create(
                account=account, url=f"http://127.0.0.1:{port}/hook", triggers=TRIGGERS, actor="bench",
                dialect="json", secret_token="bench-token-123456", timeout_seconds=5)
            endpoints[endpoint.pk] = port
        ingest = Ingest(pbx, settings.WEBHOOK_SWEEP_SECONDS)
        ingest.run(schedule(argparse.Namespace(scenario="max", calls=self.calls())), batch=400, tick=0.01)
        rows = Delivery.objects.filter(endpoint_id__in=endpoints, is_test=False).values_list(
            "message_id", "endpoint_id", "call_id", "event__sequence")
        expected = {(endpoints[e], m): ((e, call), event) for m, e, call, event in rows}
        result = Result(expected=len(expected))
        before = _children(os.getpid())
        worker_args = argparse.Namespace(workers=1, pool=self.args.hub_pool, concurrency=self.args.hub_concurrency)
        with workers(worker_args, self.tmp):
            roots = sorted(_children(os.getpid()) - before)
            sampler = CpuSampler(roots, settings.DATABASES["default"]["NAME"], [self.redis_pid], {self.own_backend})
            sampler.start()
            drained, result.first_after = self._drain(receiver, len(expected), sampler, tick=ingest.sweep_if_due)
        result.capped = not drained
        _evaluate(result, receiver.close(), expected, sampler)
        attempts = Attempt.objects.filter(delivery__endpoint_id__in=endpoints).count()
        result.logged = f"yes ({attempts:,} attempt rows)"
        for endpoint in endpoints:  # keep later runs' events away from this run's receiver
            from hub.models import WebhookEndpoint
            WebhookEndpoint.objects.filter(pk=endpoint).delete()
        return result

    def _expected_peer(self, ports: list[int], run: str) -> dict:
        return {(port, f"r{run}-c{call}-s{seq}"): ((port, call), seq)
                for port in ports for call in range(self.calls()) for seq in range(len(STAGES))}

    def _peer(self, system: str, receiver: Receiver) -> Result:
        project, run = self.projects[system], str(self.runs)
        project.load(receiver.ports, self.calls(), run)
        expected = self._expected_peer(receiver.ports, run)
        result = Result(expected=len(expected))
        with project.worker(self.tmp / f"{system}-{run}.log") as pid:
            sampler = CpuSampler([pid], project.db, [self.redis_pid], set())
            sampler.start()
            drained, result.first_after = self._drain(receiver, len(expected), sampler)
        result.capped = not drained
        _evaluate(result, receiver.close(), expected, sampler)
        result.logged = f"yes ({project.logged():,} log rows)"
        return result

    def _sequential(self, receiver: Receiver) -> Result:
        project, run = self.projects["sequential"], str(self.runs)
        expected = self._expected_peer(receiver.ports, run)
        result = Result(expected=len(expected))
        proc = subprocess.Popen([project.python, "sequential.py", json.dumps(receiver.ports), str(self.calls()), run,
                                 json.dumps(STAGES)], cwd=project.dir, env=project.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, start_new_session=True)
        try:
            proc.stdout.readline()  # ready: imports done, the session made
            sampler = CpuSampler([proc.pid], None, [], set())
            sampler.start()
            proc.stdin.write("go\n")
            proc.stdin.flush()
            drained, result.first_after = self._drain(receiver, len(expected), sampler)
        finally:
            _stop(proc)
        result.capped = not drained
        _evaluate(result, receiver.close(), expected, sampler)
        result.logged = "no"
        return result


# --- reporting --------------------------------------------------------------------------------

def _line(system: str, r: Result) -> str:
    exact = "yes" if not (r.duplicates or r.unknown) and r.delivered == r.expected else (
        f"{r.delivered:,}/{r.expected:,} delivered{' (run cap)' if r.capped else ''}, "
        f"{r.duplicates} duplicates, {r.unknown} unknown")
    return (f"{system:<26} {r.rate:9,.1f}/s  CPU {r.cpu_per_1000:7.2f} s per 1,000  first after {r.first_after:4.1f} s  "
            f"exactly-once: {exact};  "
            f"order: {'kept' if not r.out_of_order else f'{r.out_of_order} (endpoint, call) pairs out of order'};  "
            f"attempts logged: {r.logged}")


def _median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def _spread(values: list[float], fmt: str) -> str:
    values = [v for v in values if v == v]
    return f"{format(min(values), fmt)}-{format(max(values), fmt)}" if values else "n/a"


def summary(results: dict[tuple[str, float], list[Result]], systems: list[str], receivers: list[float]) -> None:
    for delay in receivers:
        print(f"\n== receiver answering {'at once' if not delay else f'after {delay:g} ms'}: medians (spread) over "
              f"{len(results[(systems[0], delay)])} interleaved runs")
        for system in systems:
            runs = results[(system, delay)]
            rate, cpu = [r.rate for r in runs], [r.cpu_per_1000 for r in runs]
            dups = sum(r.duplicates + r.unknown for r in runs)
            missing = sum(r.expected - r.delivered for r in runs)
            order = sum(r.out_of_order for r in runs)
            print(f"{system:<26} {_median(rate):9,.1f}/s ({_spread(rate, ',.0f')})  CPU/1,000 {_median(cpu):7.2f} s "
                  f"({_spread(cpu, '.2f')})  exactly-once: "
                  f"{'yes' if not dups and not missing else f'{dups} extra, {missing} not delivered'}; order: "
                  f"{'kept' if not order else f'{order} pairs out of order'}; logged: {runs[-1].logged.split(' ')[0]}")
        if "hub" not in systems:
            continue
        hub = results[("hub", delay)]
        best = None
        for system in systems:
            if system == "hub":
                continue
            peer = results[(system, delay)]
            speed = _median([h.rate / p.rate for h, p in zip(hub, peer)])
            cpu = _median([h.cpu_per_1000 / p.cpu_per_1000 for h, p in zip(hub, peer)])
            print(f"   hub / {system}: deliveries/s x{speed:,.1f}, CPU per delivery x{cpu:.3f}")
            # The goal is against the webhook libraries; the sequential model keeps no state at all
            # (no database, no broker, no log, no retry), so it is compared but not the yardstick.
            if system != "sequential" and (best is None or _median([p.rate for p in peer]) > best[1]):
                best = (system, _median([p.rate for p in peer]), speed, cpu)
        if best:
            met = best[2] >= 5 and best[3] <= 1 / 3
            print(f"   goal against the fastest library peer ({best[0]}): >= 5x deliveries/s at <= 1/3 CPU per "
                  f"delivery: {'met' if met else 'NOT met'} (x{best[2]:,.1f}, CPU x{best[3]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, 400 deliveries, 10 s per run at most")
    parser.add_argument("--deliveries", type=int, help="per run (default 2,000; --quick 400)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; --quick 1)")
    parser.add_argument("--run-seconds", type=float, help="a run stops after this long even if not drained "
                                                          "(default 30; --quick 10)")
    parser.add_argument("--start-seconds", type=float, default=180,
                        help="a run stops if its first delivery has not arrived after this long")
    parser.add_argument("--receivers", type=lambda s: [float(x) for x in s.split(",")], default=[0.0, 200.0],
                        help="receiver answer delays in ms, comma-separated")
    parser.add_argument("--systems", type=lambda s: s.split(","), default=SYSTEMS)
    parser.add_argument("--endpoints", type=int, default=4, help="receiver ports; every event goes to each")
    parser.add_argument("--hub-pool", default="threads")
    parser.add_argument("--hub-concurrency", type=int, default=32)
    parser.add_argument("--peers-python", default=str(ROOT / ".venv-peers" / "bin" / "python"),
                        help="the interpreter with requirements-peers.txt installed")
    args = parser.parse_args()
    args.deliveries = args.deliveries or (400 if args.quick else 2000)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.run_seconds = args.run_seconds or (10 if args.quick else 30)
    unknown = set(args.systems) - set(SYSTEMS + OPTIONAL)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))} (known: {', '.join(SYSTEMS + OPTIONAL)})")
    if set(args.systems) - {"hub"} and not Path(args.peers_python).exists():
        raise SystemExit(f"{args.peers_python} not found: python3 -m venv .venv-peers && "
                         ".venv-peers/bin/pip install -r requirements-peers.txt")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the ExitStack stops what it started
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-peers-"))
    results: dict[tuple[str, float], list[Result]] = defaultdict(list)
    with ExitStack() as stack:
        broker = stack.enter_context(redis_server(tmp))
        os.environ.update({
            "CELERY_BROKER_URL": broker, "DEBUG": "0", "SECRET_KEY": "bench-peers-not-secret-" + "x" * 40,
            "HUB_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"throw-away bench db: no secrets!").decode(),
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "LOG_LEVEL": "WARNING",
        })
        setup("postgres", "hub_bench_peers_hub")
        from hub.gc_startup import startup_objects_freeze

        startup_objects_freeze()
        bench = Bench(args, tmp, broker)
        stack.callback(lambda: [p.drop() for p in bench.projects.values()])
        stack.callback(teardown, "postgres", "hub_bench_peers_hub")
        print(f"{args.deliveries:,} deliveries a run ({bench.calls():,} calls x {len(STAGES)} events x "
              f"{args.endpoints} endpoints), {args.rounds} round(s), cap {args.run_seconds:g} s a run; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        for round_ in range(args.rounds):
            for delay in args.receivers:
                shift = round_ % len(args.systems)
                for system in args.systems[shift:] + args.systems[:shift]:
                    result = bench.run(system, delay)
                    results[(system, delay)].append(result)
                    print(f"round {round_ + 1}, receiver {delay:g} ms, load {os.getloadavg()[0]:.1f}: "
                          f"{_line(system, result)}", flush=True)
    summary(results, args.systems, args.receivers)
    print(f"load average at the end {os.getloadavg()[0]:.1f}; logs: {tmp}")


if __name__ == "__main__":
    main()
