"""Turn a chunk of a followed file into PbxEvents, saying how many bytes were consumed.

A tailer re-offers everything after the committed offset, so a decoder is stateless: it
parses what it is given and reports the offset up to which everything is complete. The rest
(a half-written line, a record whose continuation may still come) is offered again later.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from hub.vocabulary.pbx_event import PbxEvent, Source
from integrations.threecx_cdr import DEFAULT_FIELDS, CdrError, parse_cdr_line
from integrations.threecx_logs import ParseResult, RecordReader, Rules, parse_record


@dataclass
class Decoded:
    events: list[PbxEvent] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    lines: int = 0
    consumed: int = 0  # bytes from the start of the chunk


@dataclass(frozen=True)
class LogDecoder:
    tz: tzinfo
    source: Source
    rules: Rules

    def decode(self, data: bytes, start: int, *, final: bool, quiet: bool = False) -> Decoded:
        """``final``: nothing will follow (rotated file, one-shot import); ``quiet``: the file
        has not grown for a while, so its last record is complete in practice."""
        reader = RecordReader(offset=start)
        records = reader.feed(data, start)
        records += reader.flush() if final else reader.close_pending() if quiet else []
        parsed = ParseResult()
        for record in records:
            parsed.add(record, parse_record(record, tz=self.tz, source=self.source, rules=self.rules))
        return Decoded(parsed.events, parsed.skipped, parsed.lines, reader.resume_offset - start)


@dataclass(frozen=True)
class CdrDecoder:
    fields: Sequence[str] = DEFAULT_FIELDS

    def decode(self, data: bytes, start: int, *, final: bool, quiet: bool = False) -> Decoded:
        end = len(data) if final else data.rfind(b"\n") + 1
        decoded = Decoded(consumed=end)
        for line in data[:end].splitlines():
            if not line.strip():
                continue
            decoded.lines += 1
            try:
                decoded.events.append(parse_cdr_line(line, fields=self.fields))
            except CdrError as exc:
                decoded.skipped[f"cdr:{exc.code}"] += 1
        return decoded
