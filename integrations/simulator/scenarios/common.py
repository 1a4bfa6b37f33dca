"""Pieces shared by the scenarios: who calls, how long people talk, how calls end."""
from __future__ import annotations

from typing import Protocol

from .. import flow, queue_flow
from ..record import CallRecord, QueueLeg


class Numbering(Protocol):
    def next_qcid(self) -> str: ...


def caller_number(rec: CallRecord) -> str:
    rng = rec.rng
    roll = rng.random()
    if roll < 0.06:
        return "anonymous"
    if roll < 0.45:
        return f"04{rng.randint(10_000_000, 99_999_999)}"
    if roll < 0.75:
        return f"0{rng.choice('2378')}{rng.randint(10_000_000, 99_999_999)}"
    return f"+614{rng.randint(10_000_000, 99_999_999)}"


def external_number(rec: CallRecord) -> str:
    return f"61{rec.rng.choice('2345789')}{rec.rng.randint(10_000_000, 99_999_999)}"


def start_inbound(rec: CallRecord) -> None:
    rng, directory = rec.rng, rec.directory
    flow.incoming(rec, caller_number(rec), rng.choice(directory.caller_names),
                  rng.choice(directory.trunks), rng.choice(directory.dids))
    rec.wait(0.05, 0.5)


def talk(rec: CallRecord) -> None:
    # Mostly short calls with a long tail, like a real office.
    rec.t += int(min(1800.0, 8 + rec.rng.expovariate(1 / 200)) * 1000)


def hang_up(rec: CallRecord, ext: str | None, leg: QueueLeg | None = None) -> None:
    """End an answered call; the queue closes its leg a few ms before CallFlow ends the call."""
    talk(rec)
    if leg is not None:
        queue_flow.end_leg(rec, leg, "Serviced")
        rec.t += rec.rng.randint(3, 25)
    flow.terminate(rec, rec.rng.choice(("TerminatedBySrc", "TerminatedByDst")))
    if ext is not None and rec.rng.random() < 0.6:
        rec.wait(0.2, 1.5)
        flow.recording_saved(rec, ext)


def caller_gives_up(rec: CallRecord, leg: QueueLeg | None = None) -> None:
    if leg is not None:
        queue_flow.end_leg(rec, leg, "Abandoned")
        rec.t += rec.rng.randint(3, 25)
    flow.terminate(rec, "TerminatedBySrc")


def pick_agents(rec: CallRecord, queue: str, count: int | None = None) -> list[str]:
    """Agents the queue will ring, skipping anyone this call already rang."""
    agents = [a for a in rec.directory.queues[queue].agents if a not in rec.users]
    if not agents:
        return []
    if count is None:
        count = rec.rng.randint(1, len(agents))
    return rec.rng.sample(agents, min(count, len(agents)))


def other_user(rec: CallRecord, *exclude: str) -> str:
    return rec.rng.choice([ext for ext in rec.directory.users if ext not in exclude])
