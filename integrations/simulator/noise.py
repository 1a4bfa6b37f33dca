"""Lines the hub must skip (formats.md §1) plus agent status changes.

They are attached to a call at random moments within its lifetime so the amount of noise
scales with traffic and generation stays a single streaming pass. Rates per call are
those of the sample.
"""
from __future__ import annotations

from .record import CF_TRACE, CF_WARN, QM_INFO, QM_TRACE, CallRecord


def _storage(rec: CallRecord) -> tuple:
    rng = rec.rng
    return CF_TRACE, f"[_3CX.ScriptRunner] CallStorageSize={rng.randint(0, 9)}({rng.randint(0, 9)})"


def _sip_warning(rec: CallRecord) -> tuple:
    # The sample logs the raw header bytes escaped (a literal backslash-x00) next to real UTF-8.
    return CF_WARN, f'[CallFlow] Unparsable SIP header from 10.0.0.{rec.rng.randint(2, 250)}: "X-Odd: \\x00ÿ"'


def _calls_count(rec: CallRecord) -> tuple:
    counts = ", ".join(str(rec.rng.randint(0, 9)) for _ in range(3))
    return QM_TRACE, f"[OmCallsManager] number of calls: {counts}"


def _statistics(rec: CallRecord) -> tuple:
    rng = rec.rng
    agents = rng.sample(sorted(rec.directory.users), 3)
    rows = "".join(
        f"\n    - Ag.{a} Dial:{a} Logged-{rng.choice(('IN', 'OUT'))} Calls:{rng.randint(0, 40)}"
        for a in agents
    )
    total = f"\n    =Total: {rng.randint(5, 30)} requests / {rng.randint(0, 5)} active"
    return QM_INFO, f"[VCEHostPlugIn] Statistics{rows}{total}"


def _agent_status(rec: CallRecord) -> tuple:
    rng = rec.rng
    agent = rng.choice(sorted(rec.directory.users))
    dialable, logged_in = rng.choice(("true", "false")), rng.choice(("true", "false"))
    return QM_INFO, (f"[QueueManager] Agent {agent}: status dial={agent} dialable={dialable} "
                     f"registered=true loggedin={logged_in}")


AMBIENT = (
    (0.13, _storage),
    (0.10, _sip_warning),
    (0.05, _calls_count),
    (0.17, _statistics),
    (0.07, _agent_status),
)


def add_ambient(rec: CallRecord) -> None:
    rng = rec.rng
    for chance, make in AMBIENT:
        if rng.random() < chance:
            kind, body = make(rec)
            rec.emit(kind, body, rng.randint(rec.start_ms, rec.end_ms))
