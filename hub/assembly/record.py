"""The assembled call: plain frozen dataclasses shaped like one entry of expected_calls.json.

Times are kept at full precision (durations are computed from them) and rendered to whole
seconds with the PBX's offset by ``to_dict``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any


def iso(at: datetime | None) -> str | None:
    # The same text as at.replace(microsecond=0).isoformat(), without making that datetime.
    return None if at is None else _iso(at, at.tzinfo, at.fold)


@lru_cache(maxsize=4096)
def _iso(at: datetime, tz: tzinfo | None, fold: int) -> str:
    # Cached: a call's catalogue payloads render the same few times over and over (its start
    # in every one), and isoformat() costs many times a cache hit. Equal datetimes can differ
    # in zone or fold (and so in offset), hence both in the key.
    return at.isoformat(timespec="seconds")


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from ``start`` to ``end``, also across a DST change.

    Python subtracts two datetimes that share one tzinfo object (as every time of an
    assembled call does: they are all in the PBX's zone) on the wall clock, ignoring that
    the offset changed; correct by the offset difference.
    """
    delta = end - start
    if end.tzinfo is start.tzinfo and end.tzinfo is not None:
        delta -= end.utcoffset() - start.utcoffset()
    return delta


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int(elapsed(start, end).total_seconds()))


@dataclass(frozen=True, slots=True)
class UserLeg:
    user: str
    rang_at: datetime | None
    answered_at: datetime | None
    status: str  # answered | missed (reached by the call) | unanswered (placed it, not connected)
    via_queue: str | None = None
    via_ring_group: str | None = None
    transfer: str | None = None  # "Blind" | "Attended" when a transfer made the phone ring
    forwarded_from: str | None = None  # extension whose no-answer forward made it ring
    # When this user's part of the call ended: their transfer of the call to someone else
    # (if they had answered), else the call's end; None while it goes on. Not in to_dict()
    # (expected_calls.json has no such key); the history's per-user durations use it:
    # conversation = ended_at - answered_at, call = ended_at - call_start_at (finish.leg_end).
    ended_at: datetime | None = None

    @property
    def conversation_duration(self) -> int | None:
        """This user's talk time in whole seconds (0 if they never answered; None while on)."""
        if self.ended_at is None:
            return None
        return seconds_between(self.answered_at, self.ended_at) or 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "user": self.user, "rang_at": iso(self.rang_at),
            "answered_at": iso(self.answered_at), "status": self.status,
        }
        extras = {"via_queue": self.via_queue, "via_ring_group": self.via_ring_group,
                  "transfer": self.transfer, "forwarded_from": self.forwarded_from}
        return out | {k: v for k, v in extras.items() if v is not None}


@dataclass(frozen=True, slots=True)
class QueueLeg:
    queue: str
    qcid: str
    status: str  # answered | abandoned
    outcome: str | None  # 3CX's reason: Serviced, Abandoned, Callback requested, Transferred, …
    agent: str  # "" if nobody answered
    entered_at: datetime | None
    left_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "qcid": self.qcid, "status": self.status,
                "outcome": self.outcome, "agent": self.agent,
                "entered_at": iso(self.entered_at), "left_at": iso(self.left_at)}


@dataclass(frozen=True, slots=True)
class RingGroupLeg:
    ring_group: str
    status: str  # answered | abandoned
    agent: str

    def to_dict(self) -> dict[str, Any]:
        return {"ring_group": self.ring_group, "status": self.status, "agent": self.agent}


@dataclass(frozen=True, slots=True)
class Voicemail:
    user: str
    seconds: int
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"user": self.user, "seconds": self.seconds, "at": iso(self.at)}


@dataclass(frozen=True, slots=True)
class Recording:
    user: str
    file: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"user": self.user, "file": self.file, "at": iso(self.at)}


@dataclass(frozen=True, slots=True)
class Callback:
    qcid: str | None  # the callback's own QCID, None while only requested
    # requested | initiated (an agent is dialling) | answered (the caller was reached: an
    # "answered by agent" line on the callback's QCID) | failed. The callback's QCID is never
    # a queue leg, and reaching the caller does not make the original call answered.
    status: str
    agent: str
    reason: str | None = None  # set when failed

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"qcid": self.qcid, "status": self.status}
        if self.reason is not None:
            out["reason"] = self.reason
        return out | {"agent": self.agent}


@dataclass(frozen=True, slots=True)
class CallRecord:
    unique_call_id: str
    pbx_call_id: str | None
    direction: str  # inbound | outbound | internal
    caller_number: str
    caller_name: str
    dest_number: str
    did: str
    trunk: str
    call_start_at: datetime
    connected_at: datetime | None
    ended_at: datetime | None
    users: tuple[UserLeg, ...] = ()
    queues: tuple[QueueLeg, ...] = ()
    ring_groups: tuple[RingGroupLeg, ...] = ()
    voicemail: Voicemail | None = None
    recordings: tuple[Recording, ...] = ()
    callback: Callback | None = None
    closed_reason: str | None = None  # set by the caller when it closes an idle call

    @property
    def call_duration(self) -> int | None:
        return seconds_between(self.call_start_at, self.ended_at)

    @property
    def conversation_duration(self) -> int | None:
        if self.ended_at is None:
            return None
        return seconds_between(self.connected_at, self.ended_at) or 0

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "unique_call_id": self.unique_call_id, "pbx_call_id": self.pbx_call_id,
            "direction": self.direction, "caller_number": self.caller_number,
            "caller_name": self.caller_name, "dest_number": self.dest_number, "did": self.did,
            "trunk": self.trunk, "call_start_at": iso(self.call_start_at),
            "connected_at": iso(self.connected_at), "ended_at": iso(self.ended_at),
            "call_duration": self.call_duration, "conversation_duration": self.conversation_duration,
            "users": [u.to_dict() for u in self.users],
            "queues": [q.to_dict() for q in self.queues],
            "ring_groups": [r.to_dict() for r in self.ring_groups],
            "voicemail": self.voicemail.to_dict() if self.voicemail else None,
            "recordings": [r.to_dict() for r in self.recordings],
            "callback": self.callback.to_dict() if self.callback else None,
        }
        return out | ({"closed_reason": self.closed_reason} if self.closed_reason else {})
