"""Calls placed by users: to the outside world, to a colleague, or by click-to-call."""
from __future__ import annotations

from .. import flow
from ..directory import Trunk
from ..record import CallRecord
from .common import Numbering, external_number, hang_up, other_user

# Why an outside call that nobody picked up ended, with how often each happens.
_UNANSWERED = (("Busy", 5), ("NoAnswer", 3), ("Failed", 1))


def _dial_out(rec: CallRecord, ext: str, number: str, trunk: Trunk) -> None:
    flow.outgoing(rec, ext, number, trunk)
    rec.wait(4.0, 18.0)


def outbound_answered(rec: CallRecord, ids: Numbering) -> None:
    number = external_number(rec)
    ext = rec.rng.choice(sorted(rec.directory.users))
    _dial_out(rec, ext, number, rec.rng.choice(rec.directory.trunks))
    flow.answer_remote(rec, number)
    hang_up(rec, ext)


def outbound_unanswered(rec: CallRecord, ids: Numbering) -> None:
    ext = rec.rng.choice(sorted(rec.directory.users))
    _dial_out(rec, ext, external_number(rec), rec.rng.choice(rec.directory.trunks))
    reasons, weights = zip(*_UNANSWERED)
    reason = rec.rng.choices(reasons, weights)[0]
    if reason == "NoAnswer":
        rec.wait(10.0, 25.0)
    flow.terminate(rec, reason)


def _internal(rec: CallRecord) -> str:
    ext = rec.rng.choice(sorted(rec.directory.users))
    callee = other_user(rec, ext)
    flow.internal(rec, ext, callee)
    placed = rec.t  # the start line already names the callee: it reaches them
    rec.t += rec.rng.randint(20, 120)
    flow.ring(rec, callee, seen_ms=placed)
    return callee


def internal_answered(rec: CallRecord, ids: Numbering) -> None:
    callee = _internal(rec)
    rec.wait(1.5, 10.0)
    flow.answer_user(rec, callee)
    # Internal calls are not recorded in the sample; pass no user so none is saved.
    hang_up(rec, None)


def internal_missed(rec: CallRecord, ids: Numbering) -> None:
    _internal(rec)
    rec.wait(8.0, 25.0)
    flow.terminate(rec, "TerminatedBySrc")


def click_to_call(rec: CallRecord, *, ext: str, number: str, trunk: Trunk) -> None:
    """The user's phone rings first; once picked up, the PBX dials the number."""
    flow.ring_caller(rec, ext)
    rec.wait(1.5, 5.0)
    _dial_out(rec, ext, number, trunk)
    flow.answer_remote(rec, number)
    hang_up(rec, ext)
