"""Follow one file source: tail → decode → events_ingest, the position saved with the events."""
from __future__ import annotations

import time
from collections import Counter

from django.utils import timezone

from hub.models import IngestSource, SourceKind
from hub.services.ingest.batch import events_ingest
from hub.vocabulary.timezones import parse_timezone
from hub.vocabulary.pbx_event import Source
from integrations.stream_decoders import CdrDecoder, Decoded, LogDecoder
from integrations.tailing import FilePosition, FileTailer
from integrations.threecx_cdr import DEFAULT_FIELDS
from integrations.threecx_logs import load_rules

# A log that has not grown for this long has written its last record completely.
QUIET_SECONDS = 2.0

_LOG_SOURCES = {SourceKind.CALLFLOW_LOG: Source.CALLFLOW, SourceKind.QUEUEMANAGER_LOG: Source.QUEUEMANAGER}


def decoder_for(source: IngestSource) -> LogDecoder | CdrDecoder:
    if source.kind in _LOG_SOURCES:
        return LogDecoder(tz=parse_timezone(source.pbx.timezone), source=_LOG_SOURCES[source.kind],
                          rules=load_rules(source.rules_path or None))
    return CdrDecoder(fields=tuple(source.cdr_fields) or DEFAULT_FIELDS)


def source_progress_save(source: IngestSource, position: FilePosition | None, decoded: Decoded) -> None:
    """Runs inside the ingest transaction: the position commits with the events it covers."""
    if position is not None:
        source.position = position.to_dict()
    source.lines_read += decoded.lines
    source.events_stored += len(decoded.events)
    source.skipped = dict(Counter(source.skipped) + decoded.skipped)
    source.last_read_at = timezone.now()
    if decoded.events:
        newest = max(e.occurred_at for e in decoded.events)
        source.last_record_at = max(filter(None, [source.last_record_at, newest]))
    source.save(update_fields=["position", "lines_read", "events_stored", "skipped", "last_read_at", "last_record_at"])


class SourceFollower:
    def __init__(self, source: IngestSource):
        self.source = source
        self.decoder = decoder_for(source)
        position = FilePosition.from_dict(source.position) if source.position else None
        self.tailer = FileTailer(source.path, position)
        self._seen_end: tuple | None = None
        self._grew_at = time.monotonic()

    def poll(self) -> int:
        """Read what is new; returns how many new events were stored."""
        chunks = self.tailer.poll()
        quiet = self._quiet(chunks)
        stored = 0
        for chunk in chunks:
            decoded = self.decoder.decode(chunk.data, chunk.start, final=chunk.final, quiet=quiet)
            if decoded.consumed == 0 and not chunk.final:
                continue
            position = chunk.position(decoded.consumed)
            result = events_ingest(pbx=self.source.pbx, events=decoded.events,
                                   progress=lambda: source_progress_save(self.source, position, decoded))
            self.tailer.commit(position)
            stored += result.stored
        return stored

    def _quiet(self, chunks) -> bool:
        end = (chunks[-1].identity, chunks[-1].end) if chunks else None
        if end != self._seen_end:
            self._seen_end, self._grew_at = end, time.monotonic()
        return time.monotonic() - self._grew_at >= QUIET_SECONDS

    def close(self) -> None:
        self.tailer.close()
