"""One simulated call: its raw log lines plus the facts needed for its CDR and expected row.

Scenario steps write lines and facts through the same methods (see flow.py), so the
three outputs of a call cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from .clock import Clock
from .directory import Directory

CALLFLOW = "callflow"
QUEUEMANAGER = "queuemanager"
CDR = "cdr"

# (stream, thread id, level) as in the sample: one worker thread per service log.
CF_INFO = (CALLFLOW, "0017", "Info")
CF_TRACE = (CALLFLOW, "0017", "Trac")
CF_WARN = (CALLFLOW, "0017", "Warn")
QM_INFO = (QUEUEMANAGER, "003E", "Info")
QM_TRACE = (QUEUEMANAGER, "003E", "Trac")
CDR_RECORD = (CDR, "", "")  # no envelope: the text is the whole record


@dataclass
class UserRow:
    user: str
    rang_ms: int | None = None
    answered_ms: int | None = None
    via: tuple[str, str] | None = None  # ("via_queue", "822") / ("via_ring_group", "830")
    transfer: str = ""
    forwarded_from: str = ""  # the extension whose no-answer forward made this one ring
    placed: bool = False  # the user placed the call (outbound/internal caller)


@dataclass
class QueueLeg:
    queue: str
    qcid: str
    entered_ms: int
    left_ms: int | None = None
    outcome: str = ""
    agent: str = ""
    rang: list[str] = field(default_factory=list)


@dataclass
class CdrFacts:
    from_no: str = ""
    from_dn: str = ""
    from_type: str = ""
    from_name: str = ""
    to_no: str = ""
    to_dn: str = ""
    to_type: str = ""
    dial_no: str = ""
    chain: list[str] = field(default_factory=list)
    final: tuple[str, str, str, str] | None = None  # number, dn, type, display name
    missed_queue: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class CallRecord:
    number: int
    scenario: str
    clock: Clock
    rng: Random
    directory: Directory
    t: int  # cursor, epoch ms
    lines: list[tuple] = field(default_factory=list)
    direction: str = ""
    caller_number: str = ""
    caller_name: str = ""
    raw_caller_name: str = ""  # as the carrier sent it, blanks included
    dest_number: str = ""
    did: str = ""
    trunk: str = ""
    start_ms: int | None = None
    connected_ms: int | None = None
    end_ms: int | None = None
    users: dict[str, UserRow] = field(default_factory=dict)
    legs: list[QueueLeg] = field(default_factory=list)
    ring_groups: list[dict] = field(default_factory=list)
    voicemail: tuple[str, int, int] | None = None
    recordings: list[str] = field(default_factory=list)
    callback: dict | None = None
    cdr: CdrFacts = field(default_factory=CdrFacts)

    def wait(self, low_s: float, high_s: float) -> int:
        self.t += self.rng.randint(int(low_s * 1000), int(high_s * 1000))
        return self.t

    def emit(self, kind: tuple[str, str, str], body: str, at: int | None = None) -> None:
        self.lines.append((self.t if at is None else at, kind, body))

    def flow(self, body: str, at: int | None = None) -> None:
        when = self.t if at is None else at
        if self.start_ms is None:
            self.start_ms = when
        self.emit(CF_INFO, f"[CallFlow] Call(C:{self.number}): {body}", when)

    def queue_line(self, body: str, at: int | None = None) -> None:
        self.emit(QM_INFO, f"[QueueManager] {body}", at)

    def user_row(self, ext: str) -> UserRow:
        row = self.users.get(ext)
        if row is None:
            row = self.users[ext] = UserRow(ext)
        return row

    def chain_add(self, item: str) -> None:
        if item not in self.cdr.chain:
            self.cdr.chain.append(item)

    @property
    def pbx_call_id(self) -> str:
        return str(self.number)

    @property
    def unique_call_id(self) -> str:
        return f"{self.clock.compact(self.start_ms)[2:]}_{self.number}"
