"""The mutable working state of one fold over a call's events (private to the assembler)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Where a CallFlow "Ringing" belongs: ("direct",), ("queue", "822"), ("ring_group", "830"),
# ("transfer", n, "Attended"), ("forward", "108"), ("voicemail",).
Context = tuple[str, ...]
DIRECT: Context = ("direct",)


def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def ext(value: Any) -> str:
    """Extensions arrive as "108" or "Ext.108" depending on the source; keep the number."""
    return str(value or "").strip().removeprefix("Ext.")


def name(value: Any) -> str:
    # 3CX writes blank names as "" or as spaces; both mean "no name".
    return str(value or "").strip()


@dataclass
class Start:
    at: datetime
    direction: str
    caller_number: str
    caller_name: str
    dest_number: str
    did: str = ""
    trunk: str = ""


@dataclass
class UserDraft:
    user: str
    context: Context
    rang_at: datetime | None = None
    answered_at: datetime | None = None


@dataclass
class QueueDraft:
    qcid: str
    queue: str = ""
    received_at: datetime | None = None
    agent: str = ""
    answered_at: datetime | None = None
    outcome: str | None = None
    left_at: datetime | None = None
    caller_number: str = ""
    caller_name: str = ""
    # The source has no agent lines (the 3CX Webhook plugin): the user who answered through
    # this queue is its agent.
    agents_from_answers: bool = False


@dataclass
class Draft:
    pbx_call_id: str | None
    first_at: datetime | None = None
    start: Start | None = None
    originator: str | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    context: Context = DIRECT
    transfers: int = 0
    handoffs: list[tuple[datetime, str]] = field(default_factory=list)  # (at, by user) transfers
    users: dict[tuple[str, Context], UserDraft] = field(default_factory=dict)
    queues: dict[str, QueueDraft] = field(default_factory=dict)
    queue_routings: list[tuple[datetime, str]] = field(default_factory=list)
    ring_groups: list[str] = field(default_factory=list)
    voicemail: tuple[str, int, datetime] | None = None
    recordings: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    callback: dict[str, Any] | None = None
    callback_agents: dict[str, tuple[str, str]] = field(default_factory=dict)
    cdr: dict[str, Any] | None = None
    # Numbers the call rang without saying what they are (the plugin's usertype "other": an
    # IVR, a ring group, or a phone), and when: a phone among them rang then.
    other_rings: dict[str, datetime] = field(default_factory=dict)

    def is_over_at(self, at: datetime) -> bool:
        """True once the call has ended before ``at``: ringing/answers then are stale."""
        return self.ended_at is not None and at > self.ended_at

    def user_leg(self, user: str, context: Context) -> UserDraft:
        leg = self.users.get((user, context))
        if leg is None:
            leg = self.users[(user, context)] = UserDraft(user, context, rang_at=self.other_rings.get(user))
        return leg

    def latest_leg_of(self, user: str, at: datetime) -> UserDraft | None:
        """The leg of ``user`` that rang most recently before ``at`` (what an answer answers)."""
        legs = [leg for (u, _), leg in self.users.items() if u == user]
        rang = [leg for leg in legs if leg.rang_at is not None and leg.rang_at <= at]
        pool = rang or legs
        return max(pool, key=lambda leg: leg.rang_at or at) if pool else None

    def queue_leg(self, qcid: str, queue: str = "") -> QueueDraft:
        leg = self.queues.setdefault(qcid, QueueDraft(qcid))
        leg.queue = leg.queue or queue
        return leg
