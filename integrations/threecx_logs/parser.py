"""Records -> ``PbxEvent``: one at a time (``parse_record``) or a whole file (``parse_text``)."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import lru_cache

from hub.vocabulary.pbx_event import PbxEvent, Source

from .envelope import ENVELOPE, MESSAGE, MODULE, occurred_at
from .loader import load_rules
from .reader import Record, RecordReader
from .rules import Rules, Skip

NO_ENVELOPE = "no_envelope"
BAD_TIMESTAMP = "bad_timestamp"


@dataclass(slots=True)
class ParseResult:
    events: list[PbxEvent] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    records: int = 0

    def add(self, record: Record, outcome: PbxEvent | Skip) -> None:
        self.lines += record.lines
        self.records += 1
        if isinstance(outcome, Skip):
            self.skipped[outcome.reason] += 1
        else:
            self.events.append(outcome)


DEDUPE_PREFIX = 23  # characters of the record that lead its key: the envelope's timestamp


def dedupe_key(source: Source, text: str) -> str:
    # The record text includes its millisecond timestamp and thread, so equal text means the
    # same line read twice (re-import, tailer restart), never two real events. The key leads
    # with the timestamp so that new events land together at the end of the unique index: a
    # bare hash sent each insert to a random, soon uncached, page of it (migration 0010).
    hashed = _hash_of_source(source).copy()  # the SHA-256 of "{source}\n{text}"
    hashed.update(text.encode("utf-8", "surrogatepass"))
    return text[:DEDUPE_PREFIX] + hashed.hexdigest()


@lru_cache(maxsize=None)
def _hash_of_source(source: Source):
    return hashlib.sha256(f"{source}\n".encode())


def parse_record(record: Record, *, tz: tzinfo, source: Source, rules: Rules) -> PbxEvent | Skip:
    text = record.text
    found = ENVELOPE.match(text)
    if found is None:
        return Skip(NO_ENVELOPE)  # e.g. a tail that started in the middle of a dump
    module, message = found.group(MODULE, MESSAGE)
    match = rules.match(module or "", message.rstrip())
    if isinstance(match, Skip):
        return match
    try:
        at = occurred_at(found, tz)
    except ValueError:
        return Skip(BAD_TIMESTAMP)
    rule, pbx_call_id, data = match
    # Positional: one is made per line, and keywords cost a dict per call.
    return PbxEvent(source, rule.kind, at, pbx_call_id, dedupe_key(source, text), data, text)


def parse_text(
    text_or_bytes: str | bytes, *, tz: tzinfo, source: Source, rules: Rules | None = None
) -> ParseResult:
    """Parse a whole file's content (the input is final: a last line without newline counts)."""
    rules = rules or load_rules()
    data = text_or_bytes
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # lone surrogates become U+FFFD, not errors
    reader = RecordReader()
    result = ParseResult()
    for record in [*reader.feed(data), *reader.flush()]:
        result.add(record, parse_record(record, tz=tz, source=source, rules=rules))
    return result
