"""Ingest speed: generate N calls of 3CX traffic, import it, print lines/s, calls/s, peak RSS.

    .venv/bin/python bench/ingest.py --calls 5000 --database sqlite
    .venv/bin/python bench/ingest.py --calls 5000 --database postgres

Import goes through the same path as `manage.py import_logs` (files_import: the files
decoded a block at a time and merged by time, then events_ingest, one transaction per batch):
parsing, dedupe, call linking, assembly, catalogue derivation, outbox. Runs with DEBUG off
(``--debug`` to turn it on). The traffic is generated in a child process, so the peak RSS
printed is the import's; ``--keep`` keeps the files and ``--dir DIR`` imports them again.

``--cpu N`` pins the import to one CPU, so that on SQLite (all in-process) the wall-clock
figure is one core's. On PostgreSQL the server works beside the import on the other cores:
its backend's CPU time is read from /proc and printed too, alone and added to the import's.
"""
from __future__ import annotations

import argparse
import base64
import multiprocessing
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _django import setup, teardown


def _generate(directory: Path, calls: int, calls_per_minute: float) -> None:
    """Write the traffic to files as it is generated (write_batch streams the iterator)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from integrations.simulator import generate, write_batch

    tz = timezone(timedelta(hours=11))
    write_batch(directory, generate(start=datetime(2025, 3, 1, 8, tzinfo=tz), n_calls=calls,
                                    calls_per_minute=calls_per_minute, seed=1))


class _ServerCpu:
    """CPU time the PostgreSQL backend serving the import spent, read from /proc: on this
    machine the server runs beside the import, so both are counted when judging one core.
    seconds() is None on SQLite (in-process), or when the backend is not visible or changed."""

    def __init__(self, database: str) -> None:
        self.pid = self.start = None
        if database == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.start = self._ticks()

    def _ticks(self) -> int | None:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks

    def seconds(self) -> float | None:
        if self.start is None:
            return None
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != self.pid:
                return None
        end = self._ticks()
        return None if end is None else (end - self.start) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls-per-minute", type=float, default=40.0)
    parser.add_argument("--debug", action="store_true",
                        help="run with DEBUG on (Django then logs every query, which costs time)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--batch-events", type=int, help="events per transaction (default: files_import's)")
    parser.add_argument("--dir", type=Path, help="import the traffic already in DIR (from --keep) instead of generating")
    parser.add_argument("--cpu", type=int, metavar="N",
                        help="pin the import process to CPU N, so that its wall-clock figure is one core's")
    parser.add_argument("--db-name", default="hub_bench_ingest",
                        help="name of the throw-away database (dropped afterwards); give your own when "
                             "several people benchmark on one machine")
    args = parser.parse_args()
    directory = args.dir
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="hub-bench-traffic-"))
        started = time.perf_counter()
        # In a child process, so the peak RSS printed below is the import's alone.
        child = multiprocessing.get_context("fork").Process(
            target=_generate, args=(directory, args.calls, args.calls_per_minute))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"generating traffic failed (exit code {child.exitcode})")
        size = sum(f.stat().st_size for f in directory.glob("*.log"))
        print(f"generated {args.calls} calls, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s "
              f"({directory})", flush=True)
    # Production settings unless --debug: DEBUG off needs a secret key and an encryption key.
    os.environ.setdefault("DEBUG", "1" if args.debug else "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("HUB_ENCRYPTION_KEY", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})  # after generating: the child process is not pinned
    database = setup(args.database, args.db_name)

    from hub.models import Call
    from hub.services.accounts import account_create, pbx_create
    from hub.services.ingest.imports import ImportSummary, files_import

    files = sorted(directory.glob("*.log"))
    account = account_create(name="Bench", slug="bench")
    pbx, _ = pbx_create(account=account, name="Bench PBX", slug="bench-pbx", timezone="+11:00")
    summary = ImportSummary()
    server = _ServerCpu(args.database)
    started, usage_started = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    batch = {"batch_events": args.batch_events} if args.batch_events else {}
    files_import(pbx=pbx, paths=files, summary=summary, **batch)
    elapsed, usage = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    user, system = usage.ru_utime - usage_started.ru_utime, usage.ru_stime - usage_started.ru_stime
    cpu = user + system
    server_cpu = server.seconds()
    peak_mb = usage.ru_maxrss / 1024
    print(f"database: {database.split('://')[0]}", flush=True)
    print(f"imported {summary.lines} lines, {summary.events} events, {Call.objects.count()} calls, "
          f"{summary.catalogue_events} catalogue events in {elapsed:.1f} s")
    print(f"log lines/s: {summary.lines / elapsed:,.0f}", flush=True)
    print(f"log lines per CPU second: {summary.lines / cpu:,.0f} ({cpu:.1f} s of CPU: {user:.1f} user, "
          f"{system:.1f} system)", flush=True)
    if server_cpu is not None:
        print(f"database server CPU for the import: {server_cpu:.1f} s; log lines per CPU second, import and "
              f"server together: {summary.lines / (cpu + server_cpu):,.0f}", flush=True)
    if args.cpu is not None:
        print(f"import pinned to CPU {args.cpu}", flush=True)
    print(f"calls/s: {Call.objects.count() / elapsed:,.0f}", flush=True)
    print(f"peak RSS: {peak_mb:.0f} MB", flush=True)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if not args.keep and args.dir is None:
        shutil.rmtree(directory, ignore_errors=True)
    teardown(args.database, args.db_name)


if __name__ == "__main__":
    main()
