"""3CX CDR lines (file or socket) to ``PbxEvent(kind=CDR_RECORD)``."""
from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

from . import values
from .errors import CdrError
from .fields import DEFAULT_FIELDS, TIME_FIELDS, data_key, validate_fields

# callid looks like "89d3af2d8f010000_3456"; the suffix is the Call(C:N) number of the logs.
_CALLID_NUMBER = re.compile(r"_(\d+)$", re.ASCII)
# When time-end is not configured, the latest time known is the best stand-in.
_OCCURRED_AT_ORDER = tuple(reversed(TIME_FIELDS))
# Characters that make csv.reader differ from a plain split on commas.
_CSV_SPECIALS = ('"', "\r", "\n", "\x00")


def _decode(line: str | bytes) -> str:
    text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    return text.removeprefix("\ufeff").rstrip("\r\n")


def _split(text: str, fields: Sequence[str]) -> list[str]:
    # Four substring searches, not a regex character class: the regex tested every character.
    if not any(special in text for special in _CSV_SPECIALS):
        cells = text.split(",")  # what csv.reader gives for a line with no quotes or line breaks
    else:
        try:
            cells = next(csv.reader([text]), [])
        except csv.Error as exc:
            raise CdrError(f"unreadable CSV: {exc}", code="bad_csv") from None
    # 3CX ends every record with a comma, so one extra empty cell is expected, not an error.
    if len(cells) == len(fields) + 1 and cells[-1].strip() == "":
        cells.pop()
    if len(cells) != len(fields):
        raise CdrError(
            f"wrong field count: got {len(cells)}, expected {len(fields)}"
            " (the configured CDR fields)",
            code="field_count",
        )
    return list(map(str.strip, cells))


def _pbx_call_id(raw: dict[str, str]) -> str | None:
    match = _CALLID_NUMBER.search(raw.get("callid", ""))
    if match:
        return match.group(1)
    number = values.history_id(raw.get("historyid", ""))
    return number if number.isascii() and number.isdigit() else None


def _occurred_at(raw: dict[str, str], times: dict[str, datetime | None]) -> datetime:
    """``times``: the time fields already parsed (converting them to data parsed them)."""
    for field in _OCCURRED_AT_ORDER:
        parsed = times[field] if field in times else values.utc_time(raw.get(field, ""), field)
        if parsed is not None:
            return parsed
    raise CdrError(
        "record has no time: time-end, time-answered and time-start are all empty", code="no_time"
    )


@lru_cache(maxsize=64)
def _layout(fields: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[int, str, Callable | None], ...]]:
    """The checked fields, their data keys, and (in field order) the position, data key and
    converter of each field not kept as it is (converter None: a time field, parsed by the
    caller); once per configured order, not per line."""
    fields = validate_fields(fields)
    converted = tuple((index, data_key(field), None if field in TIME_FIELDS else values.CONVERTERS[field])
                      for index, field in enumerate(fields) if field in values.CONVERTERS)
    return fields, tuple(map(data_key, fields)), converted


def parse_cdr_line(line: str | bytes, *, fields: Sequence[str] = DEFAULT_FIELDS) -> PbxEvent:
    """One CDR record; raises CdrError (with a ``code``) for anything unusable."""
    fields, keys, converted = _layout(fields if isinstance(fields, (tuple, str)) else tuple(fields))
    text = _decode(line)
    if not text.strip():
        raise CdrError("empty line", code="blank")
    cells = _split(text, fields)
    raw = dict(zip(fields, cells))
    # Every cell as it is, then the few that convert: in C, not a Python step per field.
    data, times = dict(zip(keys, cells)), {}
    for index, key, convert in converted:
        if convert is not None:
            data[key] = convert(cells[index])
        else:
            field = fields[index]
            times[field], data[key] = values.utc_time_and_text(cells[index], field)
    return PbxEvent(
        source=Source.CDR,
        kind=Kind.CDR_RECORD,
        occurred_at=_occurred_at(raw, times),
        pbx_call_id=_pbx_call_id(raw),
        dedupe_key="cdr:" + hashlib.sha256(text.encode("utf-8")).hexdigest(),
        data=data,
        raw=text,
    )


def parse_cdr_text(
    text: str | bytes, *, fields: Sequence[str] = DEFAULT_FIELDS
) -> tuple[list[PbxEvent], Counter[str]]:
    """Every record of a CDR file; bad lines are skipped and counted by ``CdrError.code``."""
    fields = validate_fields(fields)  # a bad config is the caller's bug: raise, do not count
    decoded = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    events: list[PbxEvent] = []
    skipped: Counter[str] = Counter()
    # Split on "\n" only: str.splitlines() would also break names at U+2028 and friends.
    for line in decoded.split("\n"):
        try:
            events.append(parse_cdr_line(line, fields=fields))
        except CdrError as exc:
            skipped[exc.code] += 1
    skipped.pop("blank", None)  # the final newline leaves one empty piece; blanks are not news
    return events, skipped
