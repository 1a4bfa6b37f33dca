"""Turn a folded Draft into the frozen CallRecord (the rules that need the whole call)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from .draft import DIRECT, Draft, QueueDraft, Start, UserDraft
from .record import CallRecord, Callback, QueueLeg, Recording, RingGroupLeg, UserLeg, Voicemail


def unique_call_id(start: datetime, pbx_call_id: str | None, tz: tzinfo) -> str:
    at = start.astimezone(tz)
    # The text of f"{at:%y%m%d%H%M%S}", at a third of its cost: strftime goes through the time module.
    return "%02d%02d%02d%02d%02d%02d_%s" % (at.year % 100, at.month, at.day, at.hour, at.minute, at.second,
                                              pbx_call_id or "")


@dataclass(frozen=True, slots=True)
class CallerFacts:
    """The part of a CallRecord a seed line's event reads (CallRecord has the same fields)."""
    pbx_call_id: str | None
    caller_number: str
    caller_name: str
    did: str
    trunk: str


def caller_facts(draft: Draft) -> CallerFacts:
    """What finish(draft) would say of the caller, without building the legs."""
    start = _start(draft)
    return CallerFacts(draft.pbx_call_id, start.caller_number, start.caller_name, start.did, start.trunk)


def _start(draft: Draft) -> Start:
    return draft.start or _fallback_start(draft)


def _fallback_start(draft: Draft) -> Start:
    """No start line (yet): the first queue leg tells the caller, else nothing is known."""
    legs = sorted(draft.queues.values(), key=lambda q: (q.received_at is None, q.received_at))
    first = legs[0] if legs else QueueDraft("")
    assert draft.first_at is not None
    return Start(draft.first_at, "inbound", first.caller_number, first.caller_name, "")


def leg_end(draft: Draft, user: str, answered_at: datetime | None) -> datetime | None:
    """When one user's part of the call ended (UserLeg.ended_at).

    A user who answered and then transferred the call on is done at that transfer (the
    first ``Transferred by Ext.N`` at or after their answer); everyone else (missed legs,
    the user who talked until the end, a transfer target) is done when the call ends, and
    is not done (None) while it goes on. Never later than the call's end.
    """
    end = draft.ended_at
    if answered_at is not None:
        handed = [at for at, by in draft.handoffs if by == user and at >= answered_at]
        if handed:
            return min(min(handed), end) if end else min(handed)
    return end


def _user_leg(draft: Draft, leg: UserDraft) -> UserLeg:
    kind, *rest = leg.context
    return UserLeg(
        user=leg.user, rang_at=leg.rang_at, answered_at=leg.answered_at,
        status="answered" if leg.answered_at else "missed",
        via_queue=rest[0] if kind == "queue" else None,
        via_ring_group=rest[0] if kind == "ring_group" else None,
        transfer=rest[1] if kind == "transfer" else None,
        forwarded_from=rest[0] if kind == "forward" else None,
        ended_at=leg_end(draft, leg.user, leg.answered_at),
    )


def _user_order(item: tuple[int, UserDraft]) -> tuple:
    # By ring time (equal times: by extension); legs with no time (CDR chain) keep their order.
    index, leg = item
    when = leg.rang_at
    return (0, when.timestamp(), leg.user) if when else (1, index, leg.user)


def _placing_ring(draft: Draft) -> UserDraft | None:
    """Click-to-call: the PBX rings the user's own phone, then dials out for them.

    That ``Ringing Ext.N`` comes before N's ``Outgoing``/``Internal call`` line. It is the
    call's first CallFlow line, so the call starts there (formats.md §8), and it is not a
    reach: the user placed the call, so their one row is the originator's (no ``rang_at``).
    """
    start, user = draft.start, draft.originator
    if start is None or user is None or start.direction == "inbound":
        return None
    leg = draft.users.get((user, DIRECT))
    if leg is None or leg.rang_at is None or leg.rang_at > start.at or leg.answered_at:
        return None
    return leg


def _users(draft: Draft, connected_at: datetime | None,
           placing: UserDraft | None = None) -> tuple[UserLeg, ...]:
    reached = [u for _, u in sorted(enumerate(draft.users.values()), key=_user_order)
               if u is not placing]
    legs = [_user_leg(draft, u) for u in reached]
    if draft.originator:
        status = "answered" if connected_at else "unanswered"
        legs.insert(0, UserLeg(draft.originator, None, connected_at, status,
                               ended_at=leg_end(draft, draft.originator, connected_at)))
    return tuple(legs)


def _entered_at(draft: Draft, leg: QueueDraft) -> datetime | None:
    # CallFlow's "Routing to Queue" comes a moment before QueueManager's "call received".
    if leg.received_at is None:
        return None
    before = [at for at, queue in draft.queue_routings if queue == leg.queue and at <= leg.received_at]
    return max(before, default=leg.received_at)


def _first_answer_via(draft: Draft, queue: str) -> str:
    answered = [u for u in draft.users.values() if u.context == ("queue", queue) and u.answered_at]
    return min(answered, key=lambda u: (u.answered_at, u.user)).user if answered else ""


def _queue_leg(draft: Draft, leg: QueueDraft) -> QueueLeg:
    agent = leg.agent or (_first_answer_via(draft, leg.queue) if leg.agents_from_answers else "")
    return QueueLeg(
        queue=leg.queue, qcid=leg.qcid, status="answered" if agent else "abandoned",
        outcome=leg.outcome, agent=agent, entered_at=_entered_at(draft, leg),
        left_at=leg.left_at or draft.ended_at,
    )


def _queues(draft: Draft) -> tuple[QueueLeg, ...]:
    # A callback's own QCID is not a queue leg: the caller never waited in it. Its lines
    # (answered by agent / terminated) only tell how the callback went (see _callback).
    legs = [_queue_leg(draft, q) for q in draft.queues.values()
            if (q.qcid or q.queue) and q.qcid not in draft.callback_agents]
    return tuple(sorted(legs, key=lambda q: (q.entered_at is None, q.entered_at, q.qcid)))


def _ring_groups(draft: Draft, users: tuple[UserLeg, ...]) -> tuple[RingGroupLeg, ...]:
    def agent(group: str) -> str:
        answered = [u for u in users if u.via_ring_group == group and u.answered_at]
        return min(answered, key=lambda u: u.answered_at).user if answered else ""
    return tuple(RingGroupLeg(g, "answered" if agent(g) else "abandoned", agent(g))
                 for g in draft.ring_groups)


def _recordings(draft: Draft) -> tuple[Recording, ...]:
    # A recording is complete when the call ends; the "saved" line may be logged just after.
    recs = [Recording(user, file, min(at, draft.ended_at or at))
            for file, (user, at) in draft.recordings.items()]
    return tuple(sorted(recs, key=lambda r: (r.at, r.file)))


def _callback(draft: Draft) -> Callback | None:
    """The latest callback of the call; ``answered`` once an agent reached the caller.

    3CX logs a reached callback with the ordinary ``answered by agent`` / ``terminated;
    reason=Serviced`` lines on the callback's QCID. That neither answers the original call
    (its connected_at and conversation_duration stay those of the call the caller left) nor
    adds a queue leg; it only moves ``callback.status`` from ``initiated`` to ``answered``,
    with the agent who answered.
    """
    cb = draft.callback
    if not cb:
        return None
    leg = draft.queues.get(cb["qcid"] or "")
    if cb["status"] == "initiated" and leg is not None and leg.agent:
        return Callback(cb["qcid"], "answered", leg.agent)
    return Callback(cb["qcid"], cb["status"], cb["agent"], cb.get("reason"))


def finish(draft: Draft, tz: tzinfo) -> CallRecord:
    start = _start(draft)
    placing = _placing_ring(draft)
    if placing is not None:
        start = replace(start, at=placing.rang_at)
    users = _users(draft, draft.connected_at, placing)
    vm = draft.voicemail
    return CallRecord(
        unique_call_id=unique_call_id(start.at, draft.pbx_call_id, tz),
        pbx_call_id=draft.pbx_call_id, direction=start.direction,
        caller_number=start.caller_number, caller_name=start.caller_name,
        dest_number=start.dest_number, did=start.did, trunk=start.trunk,
        call_start_at=start.at, connected_at=draft.connected_at, ended_at=draft.ended_at,
        users=users, queues=_queues(draft), ring_groups=_ring_groups(draft, users),
        voicemail=Voicemail(*vm) if vm else None,
        recordings=_recordings(draft), callback=_callback(draft),
    )

