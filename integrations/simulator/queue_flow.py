"""QueueManager steps. Each queue line is paired with its CallFlow twin a few ms later,
which is how the sample interleaves the two files."""
from __future__ import annotations

from . import flow
from .record import CallRecord, QueueLeg


def _twin_delay(rec: CallRecord) -> None:
    rec.t += rec.rng.randint(8, 110)


def enter_queue(rec: CallRecord, queue: str, qcid: str, dtmf: str | None = None) -> QueueLeg:
    leg = QueueLeg(queue, qcid, flow.route_queue(rec, queue))
    rec.legs.append(leg)
    rec.t += rec.rng.randint(10, 600)
    name = rec.directory.queues[queue].name
    rec.queue_line(f'Queue {queue} "{name}": call received QCID={qcid} '
                   f'Call(C:{rec.number}) from {rec.caller_number} "{rec.raw_caller_name}"')
    if dtmf is not None:
        rec.wait(0.8, 4.5)
        rec.queue_line(f'Queue {queue}: QCID={qcid} DTMF "{dtmf}"')
    return leg


def ring_agents(rec: CallRecord, leg: QueueLeg, agents: list[str]) -> None:
    for agent in agents:
        rec.wait(0.3, 3.0)
        rec.queue_line(f"Queue {leg.queue}: QCID={leg.qcid} ringing agent {agent}")
        seen = rec.t
        _twin_delay(rec)
        flow.ring(rec, agent, via=("via_queue", leg.queue), seen_ms=seen)
        leg.rang.append(agent)


def agent_answers(rec: CallRecord, leg: QueueLeg, agent: str) -> None:
    rec.queue_line(f"Queue {leg.queue}: QCID={leg.qcid} answered by agent {agent}")
    seen = rec.t
    _twin_delay(rec)
    # The agent picked up when QueueManager says so: the row, the call's connected_at and
    # the CDR's time-answered/duration all count from this line (sample calls 891, 910).
    flow.answer_user(rec, agent, seen_ms=seen)
    leg.agent = agent


def end_leg(rec: CallRecord, leg: QueueLeg, reason: str) -> None:
    rec.queue_line(f"Queue {leg.queue}: QCID={leg.qcid} terminated; reason={reason}")
    leg.left_ms, leg.outcome = rec.t, reason


def overflow(rec: CallRecord, leg: QueueLeg, to_queue: str, new_qcid: str) -> QueueLeg:
    rec.queue_line(f"Queue {leg.queue}: QCID={leg.qcid} no answer, "
                   f"transferred to Queue {to_queue} as QCID={new_qcid}")
    rec.t += rec.rng.randint(1, 20)
    end_leg(rec, leg, "Transferred")
    rec.t += rec.rng.randint(20, 300)
    return enter_queue(rec, to_queue, new_qcid)


def request_callback(rec: CallRecord, leg: QueueLeg, cb_qcid: str) -> None:
    rec.queue_line(f"Queue {leg.queue}: QCID={leg.qcid} callback requested to {rec.caller_number}")
    rec.t += rec.rng.randint(5, 40)
    end_leg(rec, leg, "Callback requested")
    rec.callback = {"qcid": cb_qcid, "status": "requested", "agent": "", "queue": leg.queue,
                    "for": leg.qcid}


def dial_callback(rec: CallRecord, agent: str) -> None:
    cb = rec.callback
    rec.queue_line(f"Queue {cb['queue']}: callback QCID={cb['qcid']} for QCID={cb['for']} "
                   f"dialling {rec.caller_number} via agent {agent}")
    cb["status"], cb["agent"] = "initiated", agent


def callback_failed(rec: CallRecord, reason: str) -> None:
    cb = rec.callback
    rec.queue_line(f"Queue {cb['queue']}: callback QCID={cb['qcid']} failed; reason={reason}")
    cb["status"], cb["reason"] = "failed", reason


def callback_answered(rec: CallRecord) -> None:
    # Not in the sample: a reached callback reuses the ordinary answered/terminated shapes
    # on the callback's own QCID, so no new line kind is needed.
    cb = rec.callback
    rec.queue_line(f"Queue {cb['queue']}: QCID={cb['qcid']} answered by agent {cb['agent']}")
    cb["status"] = "answered"
    rec.wait(20, 400)
    rec.queue_line(f"Queue {cb['queue']}: QCID={cb['qcid']} terminated; reason=Serviced")
