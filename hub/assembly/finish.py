"""Turn a folded Draft into the frozen CallRecord (the rules that need the whole call)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from .draft import Draft, QueueDraft, Start, UserDraft
from .record import CallRecord, Callback, QueueLeg, Recording, RingGroupLeg, UserLeg, Voicemail


def unique_call_id(start: datetime, pbx_call_id: str | None, tz: tzinfo) -> str:
    return f"{start.astimezone(tz):%y%m%d%H%M%S}_{pbx_call_id or ''}"


def _fallback_start(draft: Draft) -> Start:
    """No start line (yet): the first queue leg tells the caller, else nothing is known."""
    legs = sorted(draft.queues.values(), key=lambda q: (q.received_at is None, q.received_at))
    first = legs[0] if legs else QueueDraft("")
    assert draft.first_at is not None
    return Start(draft.first_at, "inbound", first.caller_number, first.caller_name, "")


def _user_leg(draft: UserDraft) -> UserLeg:
    kind, *rest = draft.context
    return UserLeg(
        user=draft.user, rang_at=draft.rang_at, answered_at=draft.answered_at,
        status="answered" if draft.answered_at else "missed",
        via_queue=rest[0] if kind == "queue" else None,
        via_ring_group=rest[0] if kind == "ring_group" else None,
        transfer=rest[1] if kind == "transfer" else None,
        forwarded_from=rest[0] if kind == "forward" else None,
    )


def _user_order(item: tuple[int, UserDraft]) -> tuple:
    # By ring time (equal times: by extension); legs with no time (CDR chain) keep their order.
    index, leg = item
    when = leg.rang_at
    return (0, when.timestamp(), leg.user) if when else (1, index, leg.user)


def _users(draft: Draft, connected_at: datetime | None) -> tuple[UserLeg, ...]:
    reached = [u for _, u in sorted(enumerate(draft.users.values()), key=_user_order)]
    legs = [_user_leg(u) for u in reached]
    if draft.originator:
        status = "answered" if connected_at else "unanswered"
        legs.insert(0, UserLeg(draft.originator, None, connected_at, status))
    return tuple(legs)


def _entered_at(draft: Draft, leg: QueueDraft) -> datetime | None:
    # CallFlow's "Routing to Queue" comes a moment before QueueManager's "call received".
    if leg.received_at is None:
        return None
    before = [at for at, queue in draft.queue_routings if queue == leg.queue and at <= leg.received_at]
    return max(before, default=leg.received_at)


def _queue_leg(draft: Draft, leg: QueueDraft) -> QueueLeg:
    agent = leg.agent
    return QueueLeg(
        queue=leg.queue, qcid=leg.qcid, status="answered" if agent else "abandoned",
        outcome=leg.outcome, agent=agent, entered_at=_entered_at(draft, leg),
        left_at=leg.left_at or draft.ended_at,
    )


def _queues(draft: Draft) -> tuple[QueueLeg, ...]:
    legs = [_queue_leg(draft, q) for q in draft.queues.values() if q.qcid or q.queue]
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
    cb = draft.callback
    return Callback(cb["qcid"], cb["status"], cb["agent"], cb.get("reason")) if cb else None


def finish(draft: Draft, tz: tzinfo) -> CallRecord:
    start = draft.start or _fallback_start(draft)
    users = _users(draft, draft.connected_at)
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

