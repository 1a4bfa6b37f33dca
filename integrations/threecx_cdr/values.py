"""Converters from one raw CDR field to its ``PbxEvent.data`` value, keyed by 3CX field name."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .errors import CdrError

_DURATION = re.compile(r"(\d+):([0-5]\d):([0-5]\d)", re.ASCII)
_HISTORY_PREFIX = "Call "
_TIME = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)", re.ASCII)


def history_id(raw: str) -> str:
    return raw.removeprefix(_HISTORY_PREFIX).strip()


def duration(raw: str) -> int:
    if not raw:
        return 0  # 3CX leaves talk time empty for calls nobody answered
    match = _DURATION.fullmatch(raw)
    if match is None:
        raise CdrError(
            f"bad duration {raw!r} in field 'duration' (expected HH:MM:SS)", code="bad_duration"
        )
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def utc_time(raw: str, field: str) -> datetime | None:
    return utc_time_and_text(raw, field)[0]


def utc_time_and_text(raw: str, field: str) -> tuple[datetime | None, str]:
    """``utc_time(raw, field)`` and its ``isoformat()`` (``""`` for an empty field)."""
    if not raw:
        return None, ""
    try:
        # The shape 3CX writes, without strptime's cost (it was most of a record's parsing).
        exact = _TIME.fullmatch(raw)
        # 3CX writes CDR times in UTC.
        parsed = (datetime(*map(int, exact.groups()), tzinfo=timezone.utc) if exact is not None
                  else datetime.strptime(raw, "%Y/%m/%d %H:%M:%S").replace(tzinfo=timezone.utc))
    except ValueError:
        raise CdrError(
            f"bad time {raw!r} in field {field!r} (expected YYYY/MM/DD HH:MM:SS)", code="bad_time"
        ) from None
    if exact is None:
        return parsed, parsed.isoformat()
    # What isoformat() gives, read off the text (isoformat formats through printf, three times
    # a record): the pattern matched four digits for the year and two for each other field.
    return parsed, f"{raw[:4]}-{raw[5:7]}-{raw[8:10]}T{raw[11:]}+00:00"


def semicolon_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(";") if item.strip()]


def chain(raw: str) -> list[str]:
    return semicolon_list(raw.removeprefix("Chain:"))


def _time_converter(field: str) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        return utc_time_and_text(raw, field)[1]

    return convert


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "historyid": history_id,
    "duration": duration,
    "time-start": _time_converter("time-start"),
    "time-answered": _time_converter("time-answered"),
    "time-end": _time_converter("time-end"),
    "chain": chain,
    "missed-queue-calls": semicolon_list,
}


def convert(field: str, raw: str) -> Any:
    converter = CONVERTERS.get(field)
    return converter(raw) if converter else raw
