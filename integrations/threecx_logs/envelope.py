"""The ``timestamp|[n|]thread|level| [Module] message`` envelope every service-log line starts with.

The same pattern, compiled for bytes, tells the reader where a record starts, so a line the
parser would reject as an envelope is a continuation for the reader too.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, tzinfo

_ENVELOPE = (
    r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})"  # PBX local time, no zone
    r"\|(?:\d+\|)?"  # SystemService adds a numeric column
    r"[0-9A-Fa-f]+\|"  # thread id
    r"([A-Za-z]+)\|"  # level: Info, Trac, Warn, Erro, Crit
)
# At the start of any line of a block: where records start (no group in it spans a newline).
_RECORD_START = re.compile(b"^" + _ENVELOPE.encode("ascii"), re.MULTILINE)
# One match splits a whole record. A module tag never spans lines: a "]" further down belongs
# to a continuation dump. The message keeps its trailing blanks here; callers strip them.
ENVELOPE = re.compile(_ENVELOPE + r" *(?:\[([^\]\n]*)\] *)?(.*)", re.ASCII | re.DOTALL)
MODULE, MESSAGE = 9, 10  # group numbers in ENVELOPE


def record_starts(data: bytes, pos: int, endpos: int) -> Iterator[int]:
    """Offsets of the envelope lines in ``data[pos:endpos]``; ``pos`` must be a line start."""
    return (found.start() for found in _RECORD_START.finditer(data, pos, endpos))


def occurred_at(found: re.Match[str], tz: tzinfo) -> datetime:
    """The aware time of an ``ENVELOPE`` match; ValueError for an impossible date (month 13)."""
    # A log writes many lines a second: each second's text is read into numbers once (six
    # groups and six int() calls were most of the cost), and only the milliseconds per line.
    second = found.string[found.start(1):found.end(6)]
    fields = _seconds.get(second)
    if fields is None:
        if len(_seconds) >= _SECONDS_REMEMBERED:
            _seconds.clear()
        fields = _seconds[second] = tuple(map(int, found.group(1, 2, 3, 4, 5, 6)))
    return datetime(*fields, int(found[7]) * 1000, tzinfo=tz)


_SECONDS_REMEMBERED = 4096  # a little over an hour of a busy log's seconds
_seconds: dict[str, tuple[int, ...]] = {}  # "YYYY/MM/DD HH:MM:SS" -> its six numbers
