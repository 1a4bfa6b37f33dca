"""Inbound calls to one user or to the ring group."""
from __future__ import annotations

from .. import flow
from ..record import CallRecord
from .common import Numbering, caller_gives_up, hang_up, other_user, start_inbound


def _ring_user(rec: CallRecord, ext: str) -> None:
    flow.route_user(rec, ext)
    routed = rec.t  # the call reaches the user when routed, a moment before the ring
    rec.t += rec.rng.randint(20, 250)
    flow.ring(rec, ext, seen_ms=routed)


def _direct(rec: CallRecord) -> str:
    start_inbound(rec)
    ext = rec.rng.choice(sorted(rec.directory.users))
    _ring_user(rec, ext)
    return ext


def direct_answered(rec: CallRecord, ids: Numbering) -> None:
    ext = _direct(rec)
    rec.wait(1.5, 14.0)
    flow.answer_user(rec, ext)
    hang_up(rec, ext)


def direct_forwarded(rec: CallRecord, ids: Numbering) -> None:
    """The user's no-answer rule forwards the call to a colleague, who answers."""
    ext = _direct(rec)
    rec.wait(15.0, 25.0)
    colleague = other_user(rec, ext)
    flow.forward(rec, ext, colleague)
    rec.t += rec.rng.randint(20, 200)
    flow.ring(rec, colleague)
    rec.wait(1.5, 10.0)
    flow.answer_user(rec, colleague)
    hang_up(rec, colleague)


def direct_voicemail(rec: CallRecord, ids: Numbering) -> None:
    ext = _direct(rec)
    rec.wait(15.0, 25.0)
    flow.route_voicemail(rec, ext)
    began = rec.t
    rec.wait(12.0, 90.0)
    flow.voicemail_left(rec, ext, (rec.t - began) // 1000)
    rec.t += rec.rng.randint(100, 600)
    flow.terminate(rec, "TerminatedBySrc")


def _transferred(rec: CallRecord, kind: str) -> None:
    ext = _direct(rec)
    rec.wait(1.5, 12.0)
    flow.answer_user(rec, ext)
    rec.wait(10.0, 120.0)
    colleague = other_user(rec, ext)
    flow.transfer(rec, ext, colleague, kind)
    rec.t += rec.rng.randint(20, 200)
    flow.ring(rec, colleague)
    rec.wait(1.5, 10.0)
    flow.answer_user(rec, colleague)
    hang_up(rec, colleague)


def blind_transfer(rec: CallRecord, ids: Numbering) -> None:
    _transferred(rec, "Blind")


def attended_transfer(rec: CallRecord, ids: Numbering) -> None:
    _transferred(rec, "Attended")


def ring_group_tail(rec: CallRecord, *, answered: bool) -> None:
    """Route to the ring group, which rings every member at once."""
    group = rec.directory.ring_group
    flow.route_ring_group(rec)
    rec.t += rec.rng.randint(100, 600)
    for member in group.members:
        flow.ring(rec, member, via=("via_ring_group", group.number))
    rec.wait(3.0, 20.0)
    if not answered:
        rec.ring_groups.append({"ring_group": group.number, "status": "abandoned", "agent": ""})
        caller_gives_up(rec)
        return
    agent = rec.rng.choice(group.members)
    flow.answer_user(rec, agent)
    rec.ring_groups.append({"ring_group": group.number, "status": "answered", "agent": agent})
    hang_up(rec, agent)


def ring_group_answered(rec: CallRecord, ids: Numbering) -> None:
    start_inbound(rec)
    ring_group_tail(rec, answered=True)


def ring_group_missed(rec: CallRecord, ids: Numbering) -> None:
    start_inbound(rec)
    ring_group_tail(rec, answered=False)
