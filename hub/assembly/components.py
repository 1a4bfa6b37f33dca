"""Webhook components: named conditions on a call that fire ``webhook_component_event``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .record import CallRecord, elapsed, iso


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str  # reached_queue | queue_wait_over | reached_ring_group | dialled_did
    target: str = ""  # queue / ring-group number or DID; "" = any
    seconds: int = 0


def _reached_queue(call: CallRecord, c: Condition) -> datetime | None:
    return next((q.entered_at for q in call.queues if q.entered_at and c.target in ("", q.queue)), None)


def _queue_wait_over(call: CallRecord, c: Condition) -> datetime | None:
    limit = timedelta(seconds=c.seconds)
    for q in call.queues:
        if not q.entered_at or c.target not in ("", q.queue):
            continue
        answered = next((u.answered_at for u in call.users if u.via_queue == q.queue and u.user == q.agent), None)
        waited_until = answered or q.left_at
        # Fires once the wait is known to have passed the limit: at answer/leave time, or
        # while still waiting if the call already ended elsewhere.
        if waited_until and elapsed(q.entered_at, waited_until) > limit:
            # In UTC: adding to a zoned time moves the wall clock, wrong across a DST change.
            return (q.entered_at.astimezone(timezone.utc) + limit).astimezone(q.entered_at.tzinfo)
    return None


def _reached_ring_group(call: CallRecord, c: Condition) -> datetime | None:
    if any(c.target in ("", r.ring_group) for r in call.ring_groups):
        return next((u.rang_at for u in call.users if u.via_ring_group and c.target in ("", u.via_ring_group)), call.call_start_at)
    return None


def _dialled_did(call: CallRecord, c: Condition) -> datetime | None:
    return call.call_start_at if call.did and c.target in ("", call.did) else None


CONDITIONS: dict[str, Callable[[CallRecord, Condition], datetime | None]] = {
    "reached_queue": _reached_queue,
    "queue_wait_over": _queue_wait_over,
    "reached_ring_group": _reached_ring_group,
    "dialled_did": _dialled_did,
}


def component_fired_at(call: CallRecord, condition: Condition) -> datetime | None:
    """When the call met the condition, or None if it has not (yet)."""
    return CONDITIONS[condition.kind](call, condition)


def component_payload(call: CallRecord, name: str) -> dict:
    return {"type": "webhook_component_event", "unique_call_id": call.unique_call_id,
            "user_name": call.caller_name, "user_number": call.caller_number,
            "dest_number": call.dest_number, "call_start_at": iso(call.call_start_at), "component_name": name}
