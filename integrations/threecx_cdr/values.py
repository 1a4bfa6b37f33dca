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
    if not raw:
        return None
    try:
        # The shape 3CX writes, without strptime's cost (it was most of a record's parsing).
        exact = _TIME.fullmatch(raw)
        parsed = (datetime(*map(int, exact.groups())) if exact is not None
                  else datetime.strptime(raw, "%Y/%m/%d %H:%M:%S"))
    except ValueError:
        raise CdrError(
            f"bad time {raw!r} in field {field!r} (expected YYYY/MM/DD HH:MM:SS)", code="bad_time"
        ) from None
    return parsed.replace(tzinfo=timezone.utc)  # 3CX writes CDR times in UTC


def semicolon_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(";") if item.strip()]


def chain(raw: str) -> list[str]:
    return semicolon_list(raw.removeprefix("Chain:"))


def _time_converter(field: str) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        parsed = utc_time(raw, field)
        return parsed.isoformat() if parsed else ""

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
