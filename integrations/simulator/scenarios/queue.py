"""Inbound calls that go through a queue (directly or via the IVR)."""
from __future__ import annotations

from .. import flow, queue_flow
from ..record import CallRecord, QueueLeg
from .common import Numbering, caller_gives_up, hang_up, pick_agents, start_inbound
from .direct import ring_group_tail

# Callers sometimes press keys while waiting; the sample logs them on the queue leg.
_IDLE_KEYS = "*#0123456789"


def _enter(rec: CallRecord, ids: Numbering, queue: str | None = None,
           dtmf: str | None = None) -> QueueLeg:
    queue = queue or rec.rng.choice(sorted(rec.directory.queues))
    if dtmf is None and rec.rng.random() < 0.15:
        dtmf = rec.rng.choice(_IDLE_KEYS)
    return queue_flow.enter_queue(rec, queue, ids.next_qcid(), dtmf)


def _answered_in(rec: CallRecord, leg: QueueLeg) -> None:
    agents = pick_agents(rec, leg.queue)
    queue_flow.ring_agents(rec, leg, agents)
    rec.wait(1.0, 15.0)
    queue_flow.agent_answers(rec, leg, agents[-1])
    hang_up(rec, agents[-1], leg)


def _unanswered_in(rec: CallRecord, leg: QueueLeg) -> None:
    queue_flow.ring_agents(rec, leg, pick_agents(rec, leg.queue))
    rec.wait(5.0, 40.0)


def queue_answered(rec: CallRecord, ids: Numbering) -> None:
    start_inbound(rec)
    _answered_in(rec, _enter(rec, ids))


def queue_abandoned(rec: CallRecord, ids: Numbering) -> None:
    start_inbound(rec)
    leg = _enter(rec, ids)
    _unanswered_in(rec, leg)
    caller_gives_up(rec, leg)


def queue_overflow(rec: CallRecord, ids: Numbering) -> None:
    """No agent answers in time, so the queue hands the call to the other queue."""
    start_inbound(rec)
    leg = _enter(rec, ids)
    _unanswered_in(rec, leg)
    other = next(q for q in sorted(rec.directory.queues) if q != leg.queue)
    _answered_in(rec, queue_flow.overflow(rec, leg, other, ids.next_qcid()))


def queue_timeout(rec: CallRecord, ids: Numbering) -> None:
    """The queue's maximum wait runs out and its timeout destination is the ring group."""
    start_inbound(rec)
    leg = _enter(rec, ids)
    _unanswered_in(rec, leg)
    queue_flow.end_leg(rec, leg, "Timeout")
    rec.t += rec.rng.randint(20, 300)
    ring_group_tail(rec, answered=True)


def ivr_to_queue(rec: CallRecord, ids: Numbering) -> None:
    start_inbound(rec)
    flow.route_ivr(rec)
    rec.wait(4.0, 15.0)
    digit, queue = rec.rng.choice(sorted(rec.directory.ivr.options.items()))
    leg = _enter(rec, ids, queue, dtmf=digit)
    if rec.rng.random() < 0.8:
        _answered_in(rec, leg)
    else:
        rec.wait(5.0, 30.0)
        caller_gives_up(rec, leg)


def _callback(rec: CallRecord, ids: Numbering) -> None:
    """Caller asks to be called back instead of waiting; an agent dials out minutes later."""
    start_inbound(rec)
    leg = _enter(rec, ids)
    _unanswered_in(rec, leg)
    queue_flow.request_callback(rec, leg, ids.next_qcid())
    rec.t += rec.rng.randint(150, 900)
    flow.terminate(rec, "TerminatedBySrc")
    rec.wait(60.0, 240.0)
    queue_flow.dial_callback(rec, rec.rng.choice(rec.directory.queues[leg.queue].agents))


def callback_initiated(rec: CallRecord, ids: Numbering) -> None:
    _callback(rec, ids)


def callback_answered(rec: CallRecord, ids: Numbering) -> None:
    _callback(rec, ids)
    rec.wait(3.0, 20.0)
    queue_flow.callback_answered(rec)


def callback_failed(rec: CallRecord, ids: Numbering) -> None:
    _callback(rec, ids)
    rec.wait(8.0, 30.0)
    queue_flow.callback_failed(rec, rec.rng.choice(("Busy", "Unreachable", "NoAnswer")))
