"""A hub of its own for tests that run real `manage.py` processes against a shared database.

The subprocesses and the test share one SQLite file (never pytest-django's test database, so
this works the same when the suite itself runs on PostgreSQL). Migrating takes seconds, so it
happens once per test run into a template that every test copies.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

from hub.vocabulary.pbx_event import Source
from hub.vocabulary.timezones import parse_timezone
from integrations.threecx_cdr import parse_cdr_text
from integrations.threecx_logs import parse_text

ROOT = Path(__file__).resolve().parents[2]
PBX = "hq"  # the template's PBX (account "acme")
TZ_NAME = "+11:00"
TZ = parse_timezone(TZ_NAME)

# How each followed file parses, keyed by the StoredPbxEvent.source it yields.
FILE_SOURCES = {
    "3CXCallFlow.log": Source.CALLFLOW,
    "3CXQueueManager.log": Source.QUEUEMANAGER,
    "cdr.log": Source.CDR,
}


def parse_file_bytes(name: str, data: bytes) -> list:
    """The events a whole (final) file yields, parsed directly, without the hub."""
    source = FILE_SOURCES[name]
    if source == Source.CDR:
        return parse_cdr_text(data)[0]
    return parse_text(data, tz=TZ, source=source).events


def file_keys(name: str, data: bytes) -> set[tuple[str, str]]:
    return {(e.source.value, e.dedupe_key[:100]) for e in parse_file_bytes(name, data)}


class HubDb:
    def __init__(self, path: Path):
        self.path = path
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PYTHONUNBUFFERED": "1"}

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def shell_json(self, code: str):
        """Run Python in `manage.py shell`; it must print one JSON document as its last line."""
        out = self.manage("shell", "-v", "0", "-c", code).stdout
        return json.loads(out.strip().splitlines()[-1])

    def query(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, *params):
        return self.query(sql, *params)[0][0]

    def stored_keys(self, source: str | None = None) -> list[tuple[str, str]]:
        if source is None:
            return self.query("SELECT source, dedupe_key FROM hub_storedpbxevent")
        return self.query("SELECT source, dedupe_key FROM hub_storedpbxevent WHERE source = ?", source)

    def file_sources_ensure(self, directory: Path) -> None:
        self.manage("shell", "-v", "0", "-c", (
            "from pathlib import Path\n"
            "from hub.models import Pbx\n"
            "from hub.services.ingest.sources import file_sources_ensure\n"
            f"file_sources_ensure(pbx=Pbx.objects.get(slug={PBX!r}), directory=Path({str(directory)!r}))\n"
        ))

    def sources(self) -> dict[str, dict]:
        """Every IngestSource by path (or port), with its progress as stored."""
        rows = self.query("SELECT kind, path, port, position, lines_read, events_stored, last_error "
                          "FROM hub_ingestsource")
        return {path or str(port): {"kind": kind, "position": json.loads(position) if position else None,
                                    "lines_read": lines, "events_stored": events, "last_error": error}
                for kind, path, port, position, lines, events, error in rows}

    def calls_as_dicts(self) -> dict[str, dict]:
        """Every stored call through hub.selectors.calls.call_as_dict, by unique_call_id."""
        return self.shell_json(
            "import json\n"
            "from hub.models import Call\n"
            "from hub.selectors.calls import call_as_dict, calls_with_legs\n"
            "print(json.dumps({c.unique_call_id: call_as_dict(c) for c in calls_with_legs(Call.objects.all())}))\n"
        )


@cache
def _template() -> Path:
    """Migrated, with account "acme" and its PBX "hq" (+11:00); made once per test run."""
    directory = Path(os.environ["HUB_VAR_DIR"]) / "ingest-template"
    directory.mkdir(exist_ok=True)
    db = HubDb(directory / "hub.sqlite3")
    db.manage("migrate", "-v", "0")
    db.manage("create_account", "--name", "Acme", "--pbx", "HQ", "--timezone", TZ_NAME, "--json")
    db.query("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.path


def hub_db(directory: Path) -> HubDb:
    """A fresh copy of the template database in `directory`."""
    path = directory / "hub.sqlite3"
    shutil.copyfile(_template(), path)
    return HubDb(path)


class HubProcess:
    """One long-running `manage.py` command in its own process group, output kept in a file."""

    def __init__(self, db: HubDb, *args: str, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=db.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the host loses power."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        finally:
            self._log.close()


@contextmanager
def hub_process(db: HubDb, *args: str, log_path: Path):
    process = HubProcess(db, *args, log_path=log_path)
    try:
        yield process
    finally:
        process.close()


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.05,
             what: str = "condition", alive: HubProcess | None = None):
    """Poll until `condition()` is truthy; fails with `what` (and the process log) on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if alive is not None and alive.proc.poll() is not None:
            raise AssertionError(f"process exited ({alive.proc.returncode}) before {what}:\n{alive.output()}")
        if time.monotonic() > deadline:
            log = f"\n{alive.output()}" if alive is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{log}")
        time.sleep(interval)


def free_port(host: str = "127.0.0.1") -> int:
    with closing(socket.socket()) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
