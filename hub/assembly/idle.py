"""Closing calls whose end never comes (a lost "Terminated" line, a PBX restart)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from .record import CallRecord


def last_activity(call: CallRecord) -> datetime:
    """The latest moment the call is known to have been alive."""
    times = [call.call_start_at, call.connected_at, call.ended_at]
    times += [t for u in call.users for t in (u.rang_at, u.answered_at, u.ended_at)]
    times += [t for q in call.queues for t in (q.entered_at, q.left_at)]
    times += [r.at for r in call.recordings] + ([call.voicemail.at] if call.voicemail else [])
    return max(t for t in times if t is not None)


def closes_idle_call(call: CallRecord, now: datetime, max_age: timedelta) -> bool:
    """True if the call has not ended and nothing has happened to it for ``max_age``."""
    return call.ended_at is None and now - last_activity(call) >= max_age


def close_idle_call(call: CallRecord, reason: str = "timeout") -> CallRecord:
    """The call as the caller should store it once closed: ended at its last activity.

    Ending at the last activity (not at "now") keeps durations honest; ``closed_reason``
    tells readers the end was inferred.
    """
    end = last_activity(call)
    # A user whose part had not ended (no transfer away) ends with the call.
    users = tuple(u if u.ended_at else replace(u, ended_at=end) for u in call.users)
    return replace(call, ended_at=end, users=users, closed_reason=reason)
