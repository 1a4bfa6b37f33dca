"""What the metrics and the log line cost an ingest batch: the per-batch calls events_ingest
makes (hub.metrics.record.ingest_batch_record, hub.logs.lines.ingest_batch_logged) timed on
real parsed 3CX traffic, per batch and per event.

    .venv/bin/python bench/metrics_cost.py --calls 2000 --batch 5000
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from _django import setup, teardown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    setup("sqlite", "bench_metrics")
    import django
    django.setup()
    from hub.logs.formatters import TextFormatter
    from hub.logs.lines import ingest_batch_logged, ingest_logger
    from hub.metrics.record import catalogue_events_record, events_per_source, ingest_batch_record
    from hub.vocabulary.pbx_event import Source
    from integrations.simulator import generate, write_batch
    from integrations.threecx_logs import parse_text

    tz = timezone(timedelta(hours=11))
    directory = Path(os.environ["HUB_VAR_DIR"]) / "traffic"
    write_batch(directory, generate(start=datetime(2025, 3, 1, 8, tzinfo=tz), n_calls=args.calls, seed=3))
    events = parse_text((directory / "3CXCallFlow.log").read_bytes(), tz=tz, source=Source.CALLFLOW).events
    events.sort(key=lambda e: e.occurred_at)
    batches = [events[i:i + args.batch] for i in range(0, len(events), args.batch)]
    handler = logging.StreamHandler(open(os.devnull, "w"))  # a real formatter and stream, no terminal
    handler.setFormatter(TextFormatter())
    ingest_logger.addHandler(handler)
    ingest_logger.propagate = False
    pbx = SimpleNamespace(pk=1, account_id=1)
    triggers = ("user_inbound", "user_inbound_answered", "call_received", "queue_call", "call_answered")

    derived_for = {len(b): [SimpleNamespace(trigger=triggers[i % len(triggers)]) for i in range(len(b) * 6 // 10)]
                   for b in batches}
    started = time.process_time()  # CPU time: this machine is shared, its wall clock is not ours
    for _ in range(args.rounds):
        for batch in batches:
            # About as many catalogue events and calls as the simulated traffic derives per event.
            derived = derived_for[len(batch)]
            result = SimpleNamespace(received=len(batch), stored=len(batch), duplicates=0, catalogue_events=derived,
                                     calls=set(range(len(batch) // 11)))
            per_source = events_per_source(batch)
            ingest_batch_record(pbx_id=1, events=batch, per_source=per_source)
            catalogue_events_record(derived)
            ingest_batch_logged(pbx=pbx, sources=per_source, result=result)
    seconds = time.process_time() - started
    count = args.rounds * len(batches)
    print(f"{len(events)} events in {len(batches)} batches of up to {args.batch}, {args.rounds} rounds")
    print(f"CPU per batch: {seconds / count * 1e6:.0f} µs; per event: {seconds / (args.rounds * len(events)) * 1e9:.0f} ns")
    teardown("sqlite", "bench_metrics")


if __name__ == "__main__":
    main()
