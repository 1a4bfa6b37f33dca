"""One-shot import of whole files (logs or CDR); re-importing adds nothing (dedupe keys).

Several files of one PBX (its CallFlow log, QueueManager log and CDR) are imported MERGED by
time: each file is read and decoded in bounded blocks, the files' events are merged by
``occurred_at`` and stored in batches of ``BATCH_EVENTS``, one transaction each. A call's
lines from all files then mostly land in the same batch, so it is assembled about once,
rather than once per file, and memory stays flat whatever the files' size.
"""
from __future__ import annotations

import gc
import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

from hub.errors import InvalidInput
from hub.models import IngestSource, Pbx, SourceKind
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.follow import decoder_for
from hub.services.ingest.watermarks import EVERYTHING
from hub.vocabulary.pbx_event import PbxEvent, Source
from integrations.threecx_logs import detect_source

BLOCK = 256 << 10  # bytes read from a file at a time (each file holds one decoded block)
BATCH_EVENTS = 10_000  # events per transaction
# How far a file's lines may stray from time order (3CX writes a log from several threads).
DISORDER = timedelta(seconds=1)
KINDS = {"callflow": SourceKind.CALLFLOW_LOG, "queuemanager": SourceKind.QUEUEMANAGER_LOG, "cdr": SourceKind.CDR_FILE}
_DETECTED = {Source.CALLFLOW: SourceKind.CALLFLOW_LOG, Source.QUEUEMANAGER: SourceKind.QUEUEMANAGER_LOG}
_CDR_LINE = re.compile(rb"^(\xef\xbb\xbf)?(Call )?\d+,")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A batch keeps ~10,000 events and their rows, dicts and model instances alive at once, and
# makes no reference cycles: the cycle collector, run every N allocations, walks the batch's
# live objects over and over and frees nothing (at a gen-0 threshold of 10,000, ~5 % of an
# import's CPU for no object freed). So it is off while a batch is read and stored and runs
# between batches instead, on what the batch left behind: the young generation after every
# batch, the middle one after every YOUNG_PER_MIDDLE batches (the collector's own ratio).
YOUNG_PER_MIDDLE = 10


class CallSet:
    """The distinct call ids an import touched, as a bitmap: call ids are dense, so a million
    calls cost 125 kB instead of the ~60 MB a set of ints would (memory stays flat)."""

    def __init__(self, ids=()):
        self._bits, self._count = bytearray(), 0
        self |= ids

    def __ior__(self, ids):
        for pk in ids:
            self.add(pk)
        return self

    def add(self, pk: int) -> None:
        index, bit = divmod(pk, 8)
        if index >= len(self._bits):
            self._bits.extend(bytes(max(index + 1 - len(self._bits), len(self._bits) // 2)))
        if not self._bits[index] & (1 << bit):
            self._bits[index] |= 1 << bit
            self._count += 1

    def __contains__(self, pk) -> bool:
        index, bit = divmod(pk, 8)
        return index < len(self._bits) and bool(self._bits[index] & (1 << bit))

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return (i * 8 + bit for i, byte in enumerate(self._bits) if byte for bit in range(8) if byte & (1 << bit))


@dataclass
class ImportSummary:
    files: int = 0
    bytes: int = 0
    lines: int = 0
    events: int = 0
    duplicates: int = 0
    catalogue_events: int = 0
    calls: CallSet = field(default_factory=CallSet)
    skipped: Counter = field(default_factory=Counter)


def kind_detect(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(64 << 10)
    detected = detect_source(path.name, head)
    if detected in _DETECTED:
        return _DETECTED[detected]
    if "cdr" in path.name.lower() or _CDR_LINE.match(head):
        return SourceKind.CDR_FILE
    raise InvalidInput("kind", f"{path}: cannot tell whether this is a CallFlow, QueueManager or CDR file; pass --kind")


def file_import(*, pbx: Pbx, path: Path, kind: str | None = None, summary: ImportSummary,
                on_bytes: Callable[[int], None] = lambda n: None) -> None:
    """Import one file in batches, each batch one transaction; adds to ``summary``."""
    files_import(pbx=pbx, paths=[path], kind=kind, summary=summary, on_bytes=on_bytes)


def files_import(*, pbx: Pbx, paths: Sequence[Path], kind: str | None = None, summary: ImportSummary,
                 on_bytes: Callable[[int], None] = lambda n: None, batch_events: int = BATCH_EVENTS,
                 flush: bool = True) -> None:
    """Import several files of ``pbx`` merged by time, in batches of ``batch_events`` events,
    each batch one transaction; adds to ``summary``. Every file's kind is known (given or
    detected) before anything is stored.

    The import is its own watermark (hub.assembly.emission): merged by time, every event
    before a batch's last one has been read. At the end, ``flush`` lets out everything (the
    files are all there is); without it, what the files do not cover yet (a call whose other
    file ends earlier) waits for the rest of them, imported or followed later.
    """
    kinds = [KINDS[kind] if kind else kind_detect(path) for path in paths]
    ends = _Ends(len(paths))
    streams = [_file_events(pbx, path, source_kind, summary, on_bytes, ends, index)
               for index, (path, source_kind) in enumerate(zip(paths, kinds))]
    if not streams:
        return
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=_merge_key)
    with _collections_between_batches() as batch_done:
        while batch := list(islice(merged, batch_events)):
            # Merged by time, every event before the batch's last one has been read, but for
            # a file read to its end when more of it will follow: nothing after its end.
            watermark = batch[-1].occurred_at - DISORDER
            if not flush:
                watermark = min([watermark, *ends.finished()])
            _add(summary, events_ingest(pbx=pbx, events=batch, watermark=watermark))
            batch_done()
        finished = ends.finished()
        if flush or finished:  # the files are all there is, or this much of them is
            _add(summary, events_ingest(pbx=pbx, events=[], watermark=EVERYTHING if flush else min(finished) - DISORDER))
        batch_done()


def _merge_key(event: PbxEvent) -> timedelta:
    """Orders as ``occurred_at`` does, but compares cheaply."""
    # The logs' times carry the PBX's zone, the CDR's UTC: two aware datetimes of different
    # zones are converted to UTC on every comparison, and the merge compares each event a few
    # times (~10 % of reading the files). The time since the epoch is exact and converts once.
    return event.occurred_at - _EPOCH


@contextmanager
def _collections_between_batches() -> Iterator[Callable[[], None]]:
    """The cycle collector off for the import; the callable yielded runs it after a batch
    (see YOUNG_PER_MIDDLE). If the collector was off already, it stays off."""
    if not gc.isenabled():
        yield lambda: None
        return
    batches = 0

    def batch_done() -> None:
        nonlocal batches
        batches += 1
        gc.collect(1 if batches % YOUNG_PER_MIDDLE == 0 else 0)

    gc.disable()
    try:
        yield batch_done
    finally:
        gc.enable()


class _Ends:
    """Each file's newest event time, and which files have been read to their end."""

    def __init__(self, count: int):
        self.newest: list[datetime | None] = [None] * count
        self.done = [False] * count

    def finished(self) -> list[datetime]:
        return [at for at, done in zip(self.newest, self.done) if done and at is not None]


def _file_events(pbx: Pbx, path: Path, source_kind: str, summary: ImportSummary,
                 on_bytes: Callable[[int], None], ends: _Ends, index: int) -> Iterator[PbxEvent]:
    """The file's events in file order, decoded a block at a time; counts its lines and
    skipped records in ``summary`` as it goes, and keeps its newest event time in ``ends``."""
    decoder = decoder_for(IngestSource(pbx=pbx, kind=source_kind))
    offset, pending = 0, b""
    with open(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK)
            data, final = pending + block if pending else block, not block
            decoded = decoder.decode(data, offset, final=final)
            summary.lines += decoded.lines
            summary.skipped.update(decoded.skipped)
            offset, pending = offset + decoded.consumed, data[decoded.consumed:]
            on_bytes(len(block))
            if decoded.events:
                ends.newest[index] = max(filter(None, [ends.newest[index], *(e.occurred_at for e in decoded.events)]))
            yield from decoded.events
            if final:
                ends.done[index] = True  # once all its events are out: the merge may hold some back
                break
    summary.files += 1
    summary.bytes += offset


def _add(summary: ImportSummary, result) -> None:
    summary.events += result.stored
    summary.duplicates += result.duplicates
    summary.catalogue_events += len(result.catalogue_events)
    summary.calls |= result.calls
