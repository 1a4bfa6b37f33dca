"""The ``timestamp|[n|]thread|level| [Module] message`` envelope every service-log line starts with.

The same pattern, compiled for bytes, tells the reader where a record starts, so a line the
parser would reject as an envelope is a continuation for the reader too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

_ENVELOPE = (
    r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})"  # PBX local time, no zone
    r"\|(?:\d+\|)?"  # SystemService adds a numeric column
    r"[0-9A-Fa-f]+\|"  # thread id
    r"([A-Za-z]+)\|"  # level: Info, Trac, Warn, Erro, Crit
)
ENVELOPE_BYTES = re.compile(_ENVELOPE.encode("ascii"))
_ENVELOPE_TEXT = re.compile(_ENVELOPE, re.ASCII)


@dataclass(frozen=True, slots=True)
class Envelope:
    clock: tuple[int, ...]  # year, month, day, hour, minute, second, microsecond
    level: str
    module: str  # "" when the message has no [Module] tag
    message: str  # after "[Module] ", trailing blanks dropped

    def occurred_at(self, tz: tzinfo) -> datetime:
        """Aware time; raises ValueError for an impossible date (month 13)."""
        return datetime(*self.clock, tzinfo=tz)


def split_envelope(text: str) -> Envelope | None:
    found = _ENVELOPE_TEXT.match(text)
    if found is None:
        return None
    *clock, millis, level = found.groups()
    module, message = _split_module(text[found.end() :].lstrip(" ").rstrip())
    return Envelope((*map(int, clock), int(millis) * 1000), level, module, message)


def _split_module(rest: str) -> tuple[str, str]:
    if rest.startswith("["):
        close = rest.find("]")
        # A tag never spans lines; a "]" further down belongs to a continuation dump.
        if close != -1 and "\n" not in rest[:close]:
            return rest[1:close], rest[close + 1 :].lstrip(" ")
    return "", rest
