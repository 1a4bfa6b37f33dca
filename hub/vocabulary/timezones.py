"""PBX time zones: an IANA name ("Australia/Melbourne") or a fixed offset ("+11:00")."""
from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")


@lru_cache(maxsize=512)
def parse_timezone(value: str) -> tzinfo:
    """Return the tzinfo for ``value`` or raise ValueError saying what is accepted.

    Cached: it runs per stored call and per rendered time, and ``available_timezones()``
    walks the time-zone database on disk each time it is asked.
    """
    text = (value or "").strip()
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise ValueError(f"timezone {value!r}: offsets range from -14:00 to +14:00")
        return timezone(-delta if sign == "-" else delta)
    # ZoneInfo also accepts file paths such as "../x"; only real zone names are allowed.
    if text in ("UTC", "GMT") or text in available_timezones():
        try:
            return ZoneInfo(text)
        except ZoneInfoNotFoundError:
            pass
    raise ValueError(f"timezone {value!r}: expected an IANA name like Australia/Melbourne or an offset like +11:00")
