"""The retry policy, pure: what a result means, and how long to wait before the next attempt.

Svix's schedule (issue 4): the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h, each ±20 %. A receiver's Retry-After can only lengthen a wait, never shorten it
(a 429 must not make the hub knock faster than planned), and never past RETRY_AFTER_MAX so a
typo like "Retry-After: 9999999" cannot park a delivery for months.
"""
from __future__ import annotations

import enum
import random
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from .result import SendResult

DEFAULT_SCHEDULE: tuple[int, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
RETRY_AFTER_MAX = timedelta(hours=24)


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"
    DISABLE_ENDPOINT = "disable_endpoint"


# Statuses that are not decided by their class (2xx/3xx/4xx/5xx) alone.
_STATUS_EXCEPTIONS = {
    408: Outcome.RETRY,  # request timeout: the receiver asks us to try again
    429: Outcome.RETRY,  # rate limited
    410: Outcome.DISABLE_ENDPOINT,  # gone: the receiver says this URL is dead for good
}
_STATUS_CLASSES = {
    2: Outcome.DELIVERED,
    3: Outcome.GIVE_UP,  # redirects are never followed, and the next try would redirect too
    4: Outcome.GIVE_UP,
    5: Outcome.RETRY,
}
_ERROR_CLASSES = {
    "timeout": Outcome.RETRY,
    "connection": Outcome.RETRY,
    "dns": Outcome.RETRY,  # NXDOMAIN is often a DNS change in progress
    "tls": Outcome.RETRY,  # an expired certificate gets renewed
    "ssrf_refused": Outcome.GIVE_UP,
    "too_many_redirects": Outcome.GIVE_UP,
    "invalid_url": Outcome.GIVE_UP,
    "invalid_request": Outcome.GIVE_UP,
}


def classify(result: SendResult) -> Outcome:
    if result.status_code is not None:
        status = result.status_code
        return _STATUS_EXCEPTIONS.get(status) or _STATUS_CLASSES.get(status // 100, Outcome.RETRY)
    return _ERROR_CLASSES.get(result.error_class or "", Outcome.RETRY)  # unknown: be dependable


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # HTTP dates are GMT
    return max(when - now, timedelta(0))


def next_delay(
    attempt_number: int, *, schedule: tuple[float, ...] = DEFAULT_SCHEDULE, jitter: float = 0.2,
    retry_after: str | None = None, rng: random.Random | None = None, now: datetime | None = None,
    retry_after_max: timedelta = RETRY_AFTER_MAX,
) -> timedelta | None:
    """How long to wait before attempt ``attempt_number`` (1 = the first send); None = give up.

    So after attempt n fails, the caller asks for ``next_delay(n + 1, ...)``.
    """
    if attempt_number < 1 or attempt_number > len(schedule):
        return None
    rng = rng or random
    delay = timedelta(seconds=schedule[attempt_number - 1] * (1 + rng.uniform(-jitter, jitter)))
    asked = parse_retry_after(retry_after, now or datetime.now(timezone.utc))
    if asked is not None and asked > delay:
        delay = max(min(asked, retry_after_max), delay)
    return delay
