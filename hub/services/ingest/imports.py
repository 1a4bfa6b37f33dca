"""One-shot import of whole files (logs or CDR); re-importing adds nothing (dedupe keys)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.errors import InvalidInput
from hub.models import IngestSource, Pbx, SourceKind
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.follow import decoder_for
from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import detect_source

BLOCK = 4 << 20
KINDS = {"callflow": SourceKind.CALLFLOW_LOG, "queuemanager": SourceKind.QUEUEMANAGER_LOG, "cdr": SourceKind.CDR_FILE}
_DETECTED = {Source.CALLFLOW: SourceKind.CALLFLOW_LOG, Source.QUEUEMANAGER: SourceKind.QUEUEMANAGER_LOG}
_CDR_LINE = re.compile(rb"^(\xef\xbb\xbf)?(Call )?\d+,")


@dataclass
class ImportSummary:
    files: int = 0
    bytes: int = 0
    lines: int = 0
    events: int = 0
    duplicates: int = 0
    catalogue_events: int = 0
    calls: set[int] = field(default_factory=set)
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
    """Import one file in blocks, each block one transaction; adds to ``summary``."""
    source_kind = KINDS[kind] if kind else kind_detect(path)
    decoder = decoder_for(IngestSource(pbx=pbx, kind=source_kind))
    offset, pending = 0, b""
    with open(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK)
            data, final = pending + block, not block
            decoded = decoder.decode(data, offset, final=final)
            result = events_ingest(pbx=pbx, events=decoded.events)
            _add(summary, decoded, result)
            offset, pending = offset + decoded.consumed, data[decoded.consumed:]
            on_bytes(len(block))
            if final:
                break
    summary.files += 1
    summary.bytes += offset


def _add(summary: ImportSummary, decoded, result) -> None:
    summary.lines += decoded.lines
    summary.events += result.stored
    summary.duplicates += result.duplicates
    summary.catalogue_events += len(result.catalogue_events)
    summary.calls |= result.calls
    summary.skipped.update(decoded.skipped)
