"""A CDR record completes what the logs did not say; it never overrides the logs.

The logs carry millisecond times and names, the CDR whole seconds and fewer names, so each
value comes from the logs when they have it. A call known only from its CDR line still gets
a record: parties, times, the users in its chain and its queue or ring group.
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from hub.vocabulary.pbx_event import PbxEvent

from .draft import DIRECT, Context, Draft, Start, earliest, ext, name

_DIRECTIONS = {("Line", False): "inbound", ("Extension", True): "outbound",
               ("Extension", False): "internal"}


def on_cdr(draft: Draft, event: PbxEvent) -> None:
    # The first record (in sorted order) wins, so a repeated or re-sent record changes nothing.
    if draft.cdr is None:
        draft.cdr = dict(event.data)


def _time(value: Any, tz: tzinfo) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(tz) if value else None


def _start(cdr: dict[str, Any], at: datetime) -> Start:
    to_line = cdr.get("to_type") == "Line"
    direction = _DIRECTIONS.get((str(cdr.get("from_type")), to_line), "inbound")
    number = ext(cdr.get("from_no")) if direction != "inbound" else str(cdr.get("from_no") or "")
    if direction == "inbound":
        did = str(cdr.get("dial_no") or "")
        return Start(at, direction, number, name(cdr.get("from_dispname")), did, did, "")
    dest = str(cdr.get("dial_no") or cdr.get("to_no") or "")
    return Start(at, direction, number, name(cdr.get("from_dispname")), ext(dest))


def _context(cdr: dict[str, Any]) -> Context:
    target = ext(cdr.get("to_dn"))
    return {"Queue": ("queue", target), "RingGroup": ("ring_group", target)}.get(
        str(cdr.get("to_type")), DIRECT)


def _fill_users(draft: Draft, cdr: dict[str, Any], answered_at: datetime | None) -> None:
    chain = [ext(c) for c in cdr.get("chain") or [] if str(c).startswith("Ext.")]
    if draft.start and draft.start.direction != "inbound":
        draft.originator = draft.originator or (chain[0] if chain else None)
        chain = chain[1:]
    final, context = ext(cdr.get("final_dn")), _context(cdr)
    for user in chain:
        leg = draft.user_leg(user, context)
        if user == final and answered_at:
            leg.answered_at = earliest(leg.answered_at, answered_at)
    if context[0] == "queue" and not draft.queues:
        leg = draft.queue_leg("", context[1])
        leg.agent = final if answered_at and final in chain else ""
        leg.received_at = draft.start.at if draft.start else None
        leg.left_at = draft.ended_at
    if context[0] == "ring_group" and not draft.ring_groups:
        draft.ring_groups.append(context[1])


def logs_knew_parties(draft: Draft) -> bool:
    """Whether the logs named the call's parties; if not, fill_from_cdr adds them from the
    CDR (changing the draft's legs, not only its own fields)."""
    return bool(draft.start is not None or draft.queues or draft.users)


def fill_from_cdr(draft: Draft, tz: tzinfo) -> None:
    cdr = draft.cdr
    if cdr is None:
        return
    started = _time(cdr.get("time_start"), tz)
    knew_parties = logs_knew_parties(draft)
    if draft.start is None and started is not None:
        draft.start = _start(cdr, started)
    answered = _time(cdr.get("time_answered"), tz)
    draft.connected_at = draft.connected_at or answered
    draft.ended_at = draft.ended_at or _time(cdr.get("time_end"), tz)
    if not knew_parties:
        _fill_users(draft, cdr, answered)
