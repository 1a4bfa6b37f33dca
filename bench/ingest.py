"""Ingest speed: generate N calls of 3CX traffic, import it, print lines/s, calls/s, peak RSS.

    .venv/bin/python bench/ingest.py --calls 5000 --database sqlite
    .venv/bin/python bench/ingest.py --calls 5000 --database postgres

Import goes through the same path as the ingest process (decoder → events_ingest, one
transaction per block): parsing, dedupe, call linking, assembly, catalogue derivation.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls-per-minute", type=float, default=40.0)
    args = parser.parse_args()
    database = setup(args.database, "hub_bench_ingest")

    from hub.models import Call
    from hub.services.accounts import account_create, pbx_create
    from hub.services.ingest.imports import ImportSummary, file_import
    from integrations.simulator import generate, write_batch

    tz = timezone(timedelta(hours=11))
    directory = Path(tempfile.mkdtemp(prefix="hub-bench-traffic-"))
    started = time.perf_counter()
    lines = generate(start=datetime(2025, 3, 1, 8, tzinfo=tz), n_calls=args.calls,
                     calls_per_minute=args.calls_per_minute, seed=1)
    write_batch(directory, lines)
    files = sorted(directory.glob("*.log"))
    size = sum(f.stat().st_size for f in files)
    print(f"generated {args.calls} calls, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")

    account = account_create(name="Bench", slug="bench")
    pbx, _ = pbx_create(account=account, name="Bench PBX", slug="bench-pbx", timezone="+11:00")
    summary = ImportSummary()
    started = time.perf_counter()
    for path in files:
        file_import(pbx=pbx, path=path, summary=summary)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {database.split('://')[0]}")
    print(f"imported {summary.lines} lines, {summary.events} events, {Call.objects.count()} calls, "
          f"{summary.catalogue_events} catalogue events in {elapsed:.1f} s")
    print(f"log lines/s: {summary.lines / elapsed:,.0f}")
    print(f"calls/s: {Call.objects.count() / elapsed:,.0f}")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
