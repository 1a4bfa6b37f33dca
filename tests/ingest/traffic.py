"""Simulated 3CX traffic fed to the hub in different orders: the whole-file import, the
follower's chunks of each file interleaved, and pushes of single events."""
from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from hub.models import CatalogueEvent, IngestSource, Pbx
from hub.services.ingest.follow import decoder_for
from hub.services.ingest.imports import KINDS
from hub.vocabulary.pbx_event import PbxEvent
from integrations.simulator import generate, write_batch

START = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone(timedelta(hours=11)))
FILES = {"callflow": "3CXCallFlow.log", "queuemanager": "3CXQueueManager.log", "cdr": "cdr.log"}


def traffic_write(directory: Path, *, n_calls: int, seed: int, calls_per_minute: float = 6.0) -> dict[str, Path]:
    """The three files of ``n_calls`` simulated calls; returns them by kind."""
    write_batch(directory, generate(start=START, n_calls=n_calls, seed=seed, calls_per_minute=calls_per_minute))
    return {kind: directory / name for kind, name in FILES.items()}


def file_chunks(pbx: Pbx, path: Path, kind: str, rng: random.Random, *, max_bytes: int) -> list[list[PbxEvent]]:
    """The file's events as a follower would read them: chunks of random sizes, a record
    cut by a chunk's end carried over to the next chunk."""
    decoder = decoder_for(IngestSource(pbx=pbx, kind=KINDS[kind]))
    data, offset, chunks = path.read_bytes(), 0, []
    while offset < len(data):
        end = min(len(data), offset + rng.randint(1, max_bytes))
        decoded = decoder.decode(data[offset:end], offset, final=end == len(data))
        chunks.append(decoded.events)
        offset += decoded.consumed
    return chunks


def native_push(event: PbxEvent) -> dict:
    """The event as the hub's native JSON push sends it (its dedupe key as the push's id)."""
    return {"id": event.dedupe_key, "kind": str(event.kind), "occurred_at": event.occurred_at.isoformat(),
            "pbx_call_id": event.pbx_call_id, "data": event.data}


def cdr_lines(pbx: Pbx, path: Path) -> list[tuple[datetime, bytes]]:
    """The CDR file's records as 3CX writes them to its CDR socket: (event time, line)."""
    decoder = decoder_for(IngestSource(pbx=pbx, kind=KINDS["cdr"]))
    out = []
    for line in path.read_bytes().splitlines():
        events = decoder.decode(line + b"\n", 0, final=True).events
        out += [(event.occurred_at, line) for event in events]
    return out


def within_lateness(items: list, at, lateness: timedelta, rng: random.Random) -> list:
    """``items`` in an order a sender retrying within ``lateness`` may deliver them: an item
    comes after a later one (by ``at``) by less than ``lateness`` of event time, never more."""
    return sorted(items, key=lambda item: at(item) + lateness * rng.random())


def catalogue(pbx: Pbx) -> dict[str, tuple[str, str]]:
    """The PBX's catalogue events: key -> (trigger, payload as canonical JSON)."""
    return {key: (trigger, json.dumps(payload, sort_keys=True))
            for key, trigger, payload in CatalogueEvent.objects.filter(pbx=pbx).values_list("key", "trigger", "payload")}


def triggers(pbx: Pbx) -> Counter:
    return Counter(CatalogueEvent.objects.filter(pbx=pbx).values_list("trigger", flat=True))
