"""The call-history row the hub should assemble from one simulated call.

Same shape as one entry of samples/3cx/expected_calls.json. Times are the earliest line that
shows the fact, truncated to whole seconds (the scenario steps record it: a queue's "ringing
agent"/"answered by agent" precede CallFlow's "Ringing"/"Answered by"; "Routing to Ext.N" and
"Internal call" precede the callee's "Ringing"); durations are whole seconds of the exact
difference, rounded down. See README.md for the conventions the sample does not show.
"""
from __future__ import annotations

from .record import CallRecord, QueueLeg, UserRow


def expected_call(rec: CallRecord) -> dict:
    iso = rec.clock.iso
    talk = (rec.end_ms - rec.connected_ms) // 1000 if rec.connected_ms is not None else 0
    return {
        "unique_call_id": rec.unique_call_id,
        "pbx_call_id": rec.pbx_call_id,
        "direction": rec.direction,
        "caller_number": rec.caller_number,
        "caller_name": rec.caller_name,
        "dest_number": rec.dest_number,
        "did": rec.did,
        "trunk": rec.trunk,
        "call_start_at": iso(rec.start_ms),
        "connected_at": _optional(rec, rec.connected_ms),
        "ended_at": iso(rec.end_ms),
        "call_duration": (rec.end_ms - rec.start_ms) // 1000,
        "conversation_duration": talk,
        "users": [_user(rec, row) for row in rec.users.values()],
        "queues": [_leg(rec, leg) for leg in rec.legs],
        "ring_groups": list(rec.ring_groups),
        "voicemail": _voicemail(rec),
        # The sample stamps a recording with the call's end, not with its "saved" line.
        "recordings": [{"user": ext, "file": _recording_file(rec, ext), "at": iso(rec.end_ms)}
                       for ext in rec.recordings],
        "callback": _callback(rec),
    }


def _optional(rec: CallRecord, ms: int | None) -> str | None:
    return None if ms is None else rec.clock.iso(ms)


def _user(rec: CallRecord, row: UserRow) -> dict:
    missed = "unanswered" if row.placed else "missed"
    out = {
        "user": row.user,
        "rang_at": _optional(rec, row.rang_ms),
        "answered_at": _optional(rec, row.answered_ms),
        "status": "answered" if row.answered_ms is not None else missed,
    }
    if row.via:
        out[row.via[0]] = row.via[1]
    if row.transfer:
        out["transfer"] = row.transfer
    if row.forwarded_from:
        out["forwarded_from"] = row.forwarded_from
    return out


def _leg(rec: CallRecord, leg: QueueLeg) -> dict:
    return {
        "queue": leg.queue,
        "qcid": leg.qcid,
        "status": "answered" if leg.agent else "abandoned",
        "outcome": leg.outcome,
        "agent": leg.agent,
        "entered_at": rec.clock.iso(leg.entered_ms),
        "left_at": _optional(rec, leg.left_ms),
    }


def _voicemail(rec: CallRecord) -> dict | None:
    if rec.voicemail is None:
        return None
    ext, seconds, at = rec.voicemail
    return {"user": ext, "seconds": seconds, "at": rec.clock.iso(at)}


def _recording_file(rec: CallRecord, ext: str) -> str:
    return f"{rec.clock.compact(rec.start_ms)}_{rec.number}_{ext}.wav"


def _callback(rec: CallRecord) -> dict | None:
    if rec.callback is None:
        return None
    keep = ("qcid", "status", "reason", "agent")
    return {key: rec.callback[key] for key in keep if key in rec.callback}
