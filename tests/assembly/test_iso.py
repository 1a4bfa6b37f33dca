"""iso() caches its texts: equal datetimes that differ in zone or fold must not share one."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hub.assembly.record import iso


def test_the_same_instant_in_two_zones_keeps_each_offset():
    utc = datetime(2025, 3, 1, 8, 0, 1, 500000, tzinfo=timezone.utc)
    plus11 = utc.astimezone(timezone(timedelta(hours=11)))
    assert utc == plus11
    assert iso(utc) == "2025-03-01T08:00:01+00:00"
    assert iso(plus11) == "2025-03-01T19:00:01+11:00"


def test_the_repeated_hour_keeps_each_fold():
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2025, 10, 26, 2, 30, tzinfo=berlin)
    second = first.replace(fold=1)
    assert first == second  # one zone: compared on the wall clock
    assert iso(first) == "2025-10-26T02:30:00+02:00"
    assert iso(second) == "2025-10-26T02:30:00+01:00"


def test_naive_times_and_none():
    assert iso(datetime(2025, 3, 1, 8, 0, 1, 999999)) == "2025-03-01T08:00:01"
    assert iso(None) is None
