"""A whole hub in real processes on private servers, for the chaos tests.

PostgreSQL is a private cluster (tests.services.PostgresServer) holding a migrated template
database with account "acme" and its PBX "hq"; each test gets a copy. The hub's processes are
started as production starts them (a threads-pool worker, beat, `manage.py ingest`, gunicorn),
each in its own process group with its output in a file.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from pathlib import Path

import psycopg

from integrations.simulator import generate, write_batch
from tests.ingest.hub_processes import FILE_SOURCES, ROOT, TZ, TZ_NAME, file_keys, wait_for
from tests.services import PostgresServer, free_port

PBX = "hq"
TEMPLATE = "hub_template"
_databases = count(1)


def template_create(postgres: PostgresServer) -> None:
    postgres.execute(f"CREATE DATABASE {TEMPLATE}")
    env = {**os.environ, "DATABASE_URL": postgres.url(TEMPLATE)}
    for args in (["migrate", "-v", "0"],
                 ["create_account", "--name", "Acme", "--pbx", "HQ", "--timezone", TZ_NAME, "--json"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)


class Process:
    """One long-running hub process; `wait_for(..., alive=process)` fails if it exits."""

    def __init__(self, argv: list[str], *, env: dict, log_path: Path):
        self.argv, self.env, self.log_path = argv, env, log_path
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean-up of any kind, as when the host loses power."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Hub:
    def __init__(self, *, postgres: PostgresServer, tmp_path: Path, broker_url: str):
        self.postgres = postgres
        self.tmp_path = tmp_path
        self.database = f"chaos_{os.getpid()}_{next(_databases)}"
        postgres.execute(f"CREATE DATABASE {self.database} TEMPLATE {TEMPLATE}")
        self.env = {
            **os.environ,
            "DATABASE_URL": postgres.url(self.database),
            "CELERY_BROKER_URL": broker_url,
            "PYTHONUNBUFFERED": "1",
            # The sweeper comes every second and takes back a dead worker's claims after one.
            "WEBHOOK_SWEEP_SECONDS": "1",
            "WEBHOOK_STUCK_MARGIN_SECONDS": "1",
            "WEBHOOK_PUMP_IDLE_MS": "500",
        }
        self.processes: list[Process] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code)

    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.postgres.url(self.database), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, *params):
        return self.query(sql, *params)[0][0]

    # ---- set-up -------------------------------------------------------------------------
    def files_follow(self, directory: Path) -> None:
        self.shell(
            "from pathlib import Path\n"
            "from hub.models import Pbx\n"
            "from hub.services.ingest.sources import file_sources_ensure\n"
            f"file_sources_ensure(pbx=Pbx.objects.get(slug={PBX!r}), directory=Path({str(directory)!r}))\n")

    def endpoint_subscribe_all(self, url: str) -> None:
        """One endpoint for every catalogue event, so each stored event is one delivery."""
        self.shell(
            "from hub.catalogue import CATALOGUE\n"
            "from hub.models import Account\n"
            "from hub.services.delivery import webhook_endpoint_create\n"
            f"webhook_endpoint_create(account=Account.objects.get(slug='acme'), url={url!r},"
            " triggers=sorted(CATALOGUE), actor='chaos', timeout_seconds=5)\n")

    def pbx_token(self) -> str:
        return json.loads(self.shell(
            "import json\nfrom hub.models import Pbx\n"
            f"print(json.dumps(Pbx.objects.get(slug={PBX!r}).ingest_token))\n").strip().splitlines()[-1])

    # ---- processes ----------------------------------------------------------------------
    def _start(self, name: str, argv: list[str]) -> Process:
        process = Process(argv, env=self.env, log_path=self.tmp_path / f"{name}.log")
        self.processes.append(process)
        return process

    def worker(self) -> Process:
        return self._start("worker", [sys.executable, "-m", "celery", "-A", "hub", "worker", "--pool", "threads",
                                      "--concurrency", "8", "--loglevel", "INFO"])

    def beat(self) -> Process:
        return self._start("beat", [sys.executable, "-m", "celery", "-A", "hub", "beat", "--loglevel", "INFO",
                                    "--schedule", str(self.tmp_path / "beat-schedule")])

    def ingest(self) -> Process:
        return self._start("ingest", [sys.executable, "manage.py", "ingest", "--poll-interval", "0.1",
                                      "--reload-every", "0.5"])

    def web(self, *, workers: int = 1) -> tuple[Process, str]:
        port = free_port()
        process = self._start("web", [sys.executable, "-m", "gunicorn", "hub.wsgi:application", "--bind",
                                      f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4",
                                      "--graceful-timeout", "5"])
        return process, f"http://127.0.0.1:{port}"

    def close(self) -> None:
        for process in reversed(self.processes):
            process.close()

    def logs(self) -> str:
        return "\n".join(f"---- {p.log_path.name}\n{p.output()[-4000:]}" for p in self.processes)


class Traffic:
    """Simulated PBX traffic appended to the followed files a slice at a time, as a PBX writes
    (a pause between slices, so the hub reads them as they come rather than as one backlog)."""

    def __init__(self, directory: Path, lines: list, *, slice_lines: int):
        self.directory = directory
        self.lines = lines  # in time order, as generate() gives them
        self.slice_lines = slice_lines
        self.written = 0

    def write(self) -> None:
        batch = self.lines[self.written:self.written + self.slice_lines]
        write_batch(self.directory, batch, append=True)
        self.written += len(batch)
        time.sleep(0.1)

    def write_up_to(self, fraction: float) -> None:
        while self.written < len(self.lines) * fraction:
            self.write()


def assert_delivered_once_each_in_order(hub: Hub, receiver) -> None:
    """Every stored delivery reached the receiver; repeats of one carry its webhook-id and body;
    no event went out under two ids; each call's events arrived in their order."""
    deliveries = hub.query("SELECT message_id, status, event_id, call_id, sequence FROM hub_delivery")
    assert {status for _, status, *_ in deliveries} == {"delivered"}
    events = [event for _, _, event, _, _ in deliveries]
    assert len(events) == len(set(events))  # one delivery, so one webhook-id, per event
    by_id = defaultdict(list)
    for request in receiver.requests:
        by_id[request.header("webhook-id")].append(request)
    assert set(by_id) == {message_id for message_id, *_ in deliveries}  # none lost, none unknown
    for copies in by_id.values():
        assert len({c.body for c in copies}) == 1  # a repeat is the same message
    per_call = defaultdict(list)
    for message_id, _, _, call, sequence in deliveries:
        if call is not None:
            copies = by_id[message_id]
            per_call[call].append((sequence, min(c.at for c in copies), max(c.at for c in copies)))
    for received in per_call.values():
        received.sort()
        # every copy of an event arrived before the first copy of the call's next event
        assert all(earlier[2] <= later[1] for earlier, later in zip(received, received[1:])), received


def wait_all_delivered(hub: Hub, *, timeout: float, alive: Process | None = None) -> None:
    def settled() -> bool:
        total, delivered = hub.query("SELECT count(*), count(*) FILTER (WHERE status = 'delivered') "
                                     "FROM hub_delivery")[0]
        return total > 0 and total == delivered
    try:
        wait_for(settled, timeout=timeout, interval=0.5, what="every delivery delivered", alive=alive)
    except AssertionError as exc:
        states = hub.query("SELECT status, count(*) FROM hub_delivery GROUP BY status")
        raise AssertionError(f"{exc}\ndeliveries: {states}\n{hub.logs()}") from None


def stored_events(hub: Hub) -> int:
    return hub.scalar("SELECT count(*) FROM hub_storedpbxevent")


def expected_events(directory: Path) -> int:
    """How many distinct events the files hold, parsed directly, without the hub."""
    return sum(len(file_keys(name, (directory / name).read_bytes())) for name in FILE_SOURCES)


def wait_all_read(hub: Hub, directory: Path, *, timeout: float, alive: Process) -> None:
    expected = expected_events(directory)
    try:
        wait_for(lambda: stored_events(hub) == expected, timeout=timeout, interval=0.5,
                 what=f"all {expected} events of the files stored", alive=alive)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nstored {stored_events(hub)}\n{hub.logs()}") from None


@dataclass
class Run:
    hub: Hub
    traffic: Traffic
    worker: Process
    beat: Process
    ingest: Process

    @property
    def processes(self) -> tuple[Process, ...]:
        return self.worker, self.beat, self.ingest

    def assert_all_running(self) -> None:
        for process in self.processes:
            assert process.proc.poll() is None, f"{process.log_path.name} exited:\n{process.output()[-4000:]}"


def steady_traffic_through(hub: Hub, receiver, directory: Path, *, fault: Callable[[Run], None],
                           n_calls: int = 30, seed: int = 17, slice_lines: int = 25) -> Run:
    """The whole hub follows simulated PBX files while they grow a slice at a time: the first
    third goes through undisturbed (until the first deliveries arrive), `fault(run)` then runs
    (it writes the middle third, `run.traffic.write_up_to(2 / 3)`, while whatever it broke is
    broken), the rest follows.
    Returns once every line is stored and every delivery delivered."""
    lines = list(generate(start=datetime(2025, 3, 1, 8, tzinfo=TZ), n_calls=n_calls, calls_per_minute=60,
                          seed=seed))
    traffic = Traffic(directory, lines, slice_lines=slice_lines)
    hub.files_follow(directory)
    hub.endpoint_subscribe_all(receiver.url)
    run = Run(hub, traffic, hub.worker(), hub.beat(), hub.ingest())
    traffic.write_up_to(1 / 3)
    wait_for(lambda: len(receiver.requests) >= 3, timeout=90, what="the first deliveries", alive=run.worker)
    fault(run)
    traffic.write_up_to(1)
    wait_all_read(hub, directory, timeout=120, alive=run.ingest)
    wait_all_delivered(hub, timeout=120, alive=run.worker)
    run.assert_all_running()
    assert hub.scalar("SELECT count(*) FROM hub_call") == n_calls
    return run
