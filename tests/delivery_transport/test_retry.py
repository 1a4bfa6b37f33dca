"""The retry policy: outcomes per result, the schedule with jitter, Retry-After within bounds."""
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from integrations.delivery import DEFAULT_SCHEDULE, RETRY_AFTER_MAX, Outcome, SendResult, classify, next_delay

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def _status(code):
    return SendResult(code, 10)


def _error(error_class):
    return SendResult(None, 10, error_class=error_class)


@pytest.mark.parametrize(("result", "outcome"), [
    (_status(200), Outcome.DELIVERED), (_status(201), Outcome.DELIVERED), (_status(299), Outcome.DELIVERED),
    (_status(301), Outcome.GIVE_UP), (_status(302), Outcome.GIVE_UP), (_status(307), Outcome.GIVE_UP),
    (_status(400), Outcome.GIVE_UP), (_status(401), Outcome.GIVE_UP), (_status(404), Outcome.GIVE_UP),
    (_status(408), Outcome.RETRY), (_status(429), Outcome.RETRY), (_status(410), Outcome.DISABLE_ENDPOINT),
    (_status(500), Outcome.RETRY), (_status(502), Outcome.RETRY), (_status(599), Outcome.RETRY),
    (_error("timeout"), Outcome.RETRY), (_error("connection"), Outcome.RETRY), (_error("dns"), Outcome.RETRY),
    (_error("tls"), Outcome.RETRY), (_error("ssrf_refused"), Outcome.GIVE_UP),
    (_error("too_many_redirects"), Outcome.GIVE_UP), (_error("invalid_url"), Outcome.GIVE_UP),
    (_error("invalid_request"), Outcome.GIVE_UP), (_error("internal"), Outcome.RETRY),
])
def test_classify(result, outcome):
    assert classify(result) is outcome


def test_schedule_without_jitter_is_svixs():
    delays = [next_delay(n, jitter=0, now=NOW) for n in range(1, 10)]
    assert delays[:8] == [timedelta(seconds=s) for s in DEFAULT_SCHEDULE]
    assert delays[8] is None  # exhausted: give up
    assert next_delay(0, now=NOW) is None


def test_jitter_stays_within_20_percent_and_is_reproducible():
    rng = random.Random(7)
    for n, base in enumerate(DEFAULT_SCHEDULE, start=1):
        for _ in range(50):
            delay = next_delay(n, rng=rng, now=NOW).total_seconds()
            assert base * 0.8 <= delay <= base * 1.2
    assert next_delay(3, rng=random.Random(1), now=NOW) == next_delay(3, rng=random.Random(1), now=NOW)
    assert len({next_delay(3, rng=rng, now=NOW) for _ in range(20)}) > 1


def test_custom_schedule():
    assert next_delay(2, schedule=(0, 60), jitter=0, now=NOW) == timedelta(seconds=60)
    assert next_delay(3, schedule=(0, 60), jitter=0, now=NOW) is None


def test_retry_after_seconds_lengthens_the_wait():
    assert next_delay(2, jitter=0, retry_after="120", now=NOW) == timedelta(seconds=120)


def test_retry_after_never_shortens_the_schedule():
    assert next_delay(3, jitter=0, retry_after="1", now=NOW) == timedelta(seconds=300)


def test_retry_after_http_date():
    when = format_datetime(NOW + timedelta(minutes=10), usegmt=True)
    assert next_delay(2, jitter=0, retry_after=when, now=NOW) == timedelta(minutes=10)


def test_retry_after_in_the_past_keeps_the_schedule():
    when = format_datetime(NOW - timedelta(hours=1), usegmt=True)
    assert next_delay(2, jitter=0, retry_after=when, now=NOW) == timedelta(seconds=5)


def test_retry_after_is_capped_at_24_hours():
    assert next_delay(2, jitter=0, retry_after="9999999", now=NOW) == RETRY_AFTER_MAX == timedelta(hours=24)


@pytest.mark.parametrize("garbage", ["", "  ", "soon", "-5", "1.5", "Mon, 99 Foo 2026"])
def test_unreadable_retry_after_is_ignored(garbage):
    assert next_delay(2, jitter=0, retry_after=garbage, now=NOW) == timedelta(seconds=5)


def test_retry_after_does_not_extend_an_exhausted_schedule():
    assert next_delay(9, retry_after="60", now=NOW) is None
