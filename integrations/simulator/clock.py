"""Turns absolute epoch milliseconds into the strings 3CX writes.

Generation works in integer epoch milliseconds so ordering is exact and DST is handled by
the zone database; formatting is cached per second because it dominates the cost of a line.
"""
from __future__ import annotations

import time
from datetime import datetime, tzinfo

_CACHE_LIMIT = 200_000


class Clock:
    def __init__(self, tz: tzinfo):
        self.tz = tz
        self._local: dict[int, tuple[str, datetime]] = {}
        self._utc: dict[int, str] = {}

    def _second(self, sec: int) -> tuple[str, datetime]:
        hit = self._local.get(sec)
        if hit is None:
            if len(self._local) > _CACHE_LIMIT:
                self._local.clear()
            local = datetime.fromtimestamp(sec, self.tz)
            hit = (local.strftime("%Y/%m/%d %H:%M:%S"), local)
            self._local[sec] = hit
        return hit

    def stamp(self, ms: int) -> str:
        """Log envelope time, PBX local: `2025/03/01 08:00:17.525`."""
        return f"{self._second(ms // 1000)[0]}.{ms % 1000:03d}"

    def at(self, ms: int) -> datetime:
        return self._second(ms // 1000)[1].replace(microsecond=ms % 1000 * 1000)

    def iso(self, ms: int) -> str:
        """Whole-second ISO 8601 with the PBX offset, as in expected_calls.json."""
        return self._second(ms // 1000)[1].isoformat()

    def compact(self, ms: int) -> str:
        """`yymmddHHMMSS`-style digits used by unique ids and recording names."""
        return self._second(ms // 1000)[1].strftime("%Y%m%d%H%M%S")

    def utc(self, ms: int) -> str:
        """CDR time: UTC, whole seconds."""
        sec = ms // 1000
        hit = self._utc.get(sec)
        if hit is None:
            if len(self._utc) > _CACHE_LIMIT:
                self._utc.clear()
            hit = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(sec))
            self._utc[sec] = hit
        return hit


def epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("start must be timezone-aware (the PBX's local zone)")
    return int(moment.timestamp() * 1000)
