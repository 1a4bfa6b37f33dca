"""Follow one file source: tail → decode → events_ingest, the position saved with the events."""
from __future__ import annotations

import time
from collections import Counter

from django.utils import timezone

from hub.metrics.record import lines_skipped_record
from hub.models import IngestSource, SourceKind
from hub.services.ingest.batch import events_ingest
from hub.vocabulary.timezones import parse_timezone
from hub.vocabulary.pbx_event import Source
from integrations.stream_decoders import CdrDecoder, Decoded, LogDecoder
from hub.services.ingest.watermarks import source_caught_up
from integrations.tailing import DEFAULT_MAX_BYTES, FilePosition, FileTailer
from integrations.threecx_cdr import DEFAULT_FIELDS
from integrations.threecx_logs import load_rules

# A log that has not grown for this long has written its last record completely.
QUIET_SECONDS = 2.0
# Bytes read from a file per poll (then the process turns to its other files).
MAX_BYTES = DEFAULT_MAX_BYTES

_LOG_SOURCES = {SourceKind.CALLFLOW_LOG: Source.CALLFLOW, SourceKind.QUEUEMANAGER_LOG: Source.QUEUEMANAGER}


def decoder_for(source: IngestSource) -> LogDecoder | CdrDecoder:
    if source.kind in _LOG_SOURCES:
        return LogDecoder(tz=parse_timezone(source.pbx.timezone), source=_LOG_SOURCES[source.kind],
                          rules=load_rules(source.rules_path or None))
    return CdrDecoder(fields=tuple(source.cdr_fields) or DEFAULT_FIELDS)


def source_progress_save(source: IngestSource, position: FilePosition | None, decoded: Decoded,
                         *, behind: bool = True) -> None:
    """Runs inside the ingest transaction: the position commits with the events it covers.
    ``behind``: more of the file is waiting to be read (the PBX's watermark waits for it)."""
    source.behind = behind
    if position is not None:
        source.position = position.to_dict()
    source.lines_read += decoded.lines
    source.events_stored += len(decoded.events)
    source.skipped = dict(Counter(source.skipped) + decoded.skipped)
    source.last_read_at = timezone.now()
    if decoded.events:
        newest = max(e.occurred_at for e in decoded.events)
        source.last_record_at = max(filter(None, [source.last_record_at, newest]))
    source.save(update_fields=["position", "lines_read", "events_stored", "skipped", "last_read_at", "last_record_at",
                               "behind"])


class SourceFollower:
    def __init__(self, source: IngestSource):
        self.source = source
        self.decoder = decoder_for(source)
        position = FilePosition.from_dict(source.position) if source.position else None
        self.tailer = FileTailer(source.path, position)
        self._seen_end: tuple | None = None
        self._grew_at = time.monotonic()
        self._budget = MAX_BYTES

    def poll(self) -> int:
        """Read what is new; returns how many new events were stored."""
        budget = max(self._budget, MAX_BYTES)
        chunks = self.tailer.poll(budget)
        quiet = self._quiet(chunks)
        # A poll that filled its budget left more of the file unread.
        more = sum(len(chunk.data) for chunk in chunks) >= budget
        if not chunks:
            source_caught_up(self.source)
        stored, consumed = 0, False
        for index, chunk in enumerate(chunks):
            decoded = self.decoder.decode(chunk.data, chunk.start, final=chunk.final, quiet=quiet)
            if decoded.consumed == 0 and not chunk.final:
                continue
            consumed = True
            position = chunk.position(decoded.consumed)
            # A record left for the next poll (its end not written yet) is still to be read.
            behind = more or index < len(chunks) - 1 or decoded.consumed < len(chunk.data)
            result = events_ingest(pbx=self.source.pbx, events=decoded.events,
                                   progress=lambda: source_progress_save(self.source, position, decoded, behind=behind))
            self.tailer.commit(position)
            lines_skipped_record(source=self.source.kind, skipped=decoded.skipped)
            stored += result.stored
        # A record longer than the budget: the tailer offers the same bytes again, so read more at
        # once next time instead of the same part of it for ever (the tailer's contract).
        self._budget = budget * 2 if more and not consumed else MAX_BYTES
        return stored

    def _quiet(self, chunks) -> bool:
        end = (chunks[-1].identity, chunks[-1].end) if chunks else None
        if end != self._seen_end:
            self._seen_end, self._grew_at = end, time.monotonic()
        return time.monotonic() - self._grew_at >= QUIET_SECONDS

    def close(self) -> None:
        self.tailer.close()
