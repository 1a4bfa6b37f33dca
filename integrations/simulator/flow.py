"""CallFlow steps: each writes one `[CallFlow]` line and records what it means."""
from __future__ import annotations

from .directory import Trunk
from .record import CallRecord


def _label(rec: CallRecord, ext: str) -> str:
    return f'Ext.{ext} "{rec.directory.user(ext).name}"'


def _target(rec: CallRecord, number: str, dn: str, kind: str) -> None:
    # The CDR's to-* fields name the first destination; later hops only change final-*.
    if not rec.cdr.to_no:
        rec.cdr.to_no, rec.cdr.to_dn, rec.cdr.to_type = number, dn, kind


def incoming(rec: CallRecord, caller: str, name: str, trunk: Trunk, did: str) -> None:
    rec.direction, rec.did, rec.dest_number, rec.trunk = "inbound", did, did, trunk.name
    rec.caller_number, rec.caller_name, rec.raw_caller_name = caller, name.strip(), name
    rec.flow(f'Incoming call from {caller} "{name}" via Line:{trunk.line} "{trunk.name}" to DID {did}')
    cdr = rec.cdr
    cdr.from_no, cdr.from_dn, cdr.from_type, cdr.from_name = caller, trunk.line, "Line", name.strip()
    cdr.dial_no = did
    rec.chain_add(caller)


def _placed_by(rec: CallRecord, ext: str, direction: str, dest: str) -> None:
    user = rec.directory.user(ext)
    rec.direction, rec.caller_number, rec.caller_name, rec.dest_number = direction, ext, user.name, dest
    rec.user_row(ext).placed = True
    cdr = rec.cdr
    cdr.from_no, cdr.from_dn, cdr.from_type, cdr.from_name = f"Ext.{ext}", ext, "Extension", user.name
    rec.chain_add(f"Ext.{ext}")


def outgoing(rec: CallRecord, ext: str, number: str, trunk: Trunk) -> None:
    _placed_by(rec, ext, "outbound", number)
    rec.trunk = trunk.name
    rec.flow(f'Outgoing call from {_label(rec, ext)} to {number} via Line:{trunk.line} "{trunk.name}"')
    _target(rec, number, trunk.line, "Line")
    rec.cdr.dial_no = number


def internal(rec: CallRecord, ext: str, callee: str) -> None:
    _placed_by(rec, ext, "internal", callee)
    rec.flow(f"Internal call from {_label(rec, ext)} to {_label(rec, callee)}")
    _target(rec, f"Ext.{callee}", callee, "Extension")
    rec.cdr.dial_no = callee


def route_queue(rec: CallRecord, queue: str) -> int:
    rec.flow(f'Routing to Queue:{queue} "{rec.directory.queues[queue].name}"')
    _target(rec, f"Ext.{queue}", queue, "Queue")
    return rec.t


def route_ivr(rec: CallRecord) -> None:
    # The sample's CDRs name the queue the IVR sent the call to, not the IVR itself.
    ivr = rec.directory.ivr
    rec.flow(f'Routing to IVR:{ivr.number} "{ivr.name}"')


def route_ring_group(rec: CallRecord) -> None:
    group = rec.directory.ring_group
    rec.flow(f'Routing to RingGroup:{group.number} "{group.name}"')
    _target(rec, f"Ext.{group.number}", group.number, "RingGroup")


def route_user(rec: CallRecord, ext: str) -> None:
    rec.flow(f"Routing to {_label(rec, ext)}")
    _target(rec, f"Ext.{ext}", ext, "Extension")


def route_voicemail(rec: CallRecord, ext: str) -> None:
    rec.flow(f"Routing to Voicemail:{ext}")


def ring(rec: CallRecord, ext: str, via: tuple[str, str] | None = None,
         seen_ms: int | None = None) -> None:
    """`seen_ms`: an earlier line that already showed the call reaching `ext` (the queue's
    `ringing agent`, the `Routing to Ext.N` or `Internal call` line); the row's `rang_at`
    is the earliest line showing the fact (see expected.py)."""
    rec.flow(f"Ringing {_label(rec, ext)}")
    row = rec.user_row(ext)
    if row.rang_ms is None:
        row.rang_ms = rec.t if seen_ms is None else seen_ms
    if via and row.via is None:
        row.via = via
    if ext != rec.caller_number or rec.direction == "inbound":
        rec.chain_add(f"Ext.{ext}")


def ring_caller(rec: CallRecord, ext: str) -> None:
    """Click-to-call: the PBX rings the user's own phone before dialling out for them. The
    line starts the call (unique_call_id, call_start_at) but is not a reach: the user places
    the call, so their row is the originator's, with no `rang_at` (as every placed call)."""
    rec.flow(f"Ringing {_label(rec, ext)}")
    rec.chain_add(f"Ext.{ext}")


def _connected(rec: CallRecord, at: int) -> None:
    if rec.connected_ms is None:
        rec.connected_ms = at
    for row in rec.users.values():
        if row.placed and row.answered_ms is None:
            row.answered_ms = at


def answer_user(rec: CallRecord, ext: str, seen_ms: int | None = None) -> None:
    """`seen_ms`: the queue's `answered by agent` line, which precedes this one."""
    rec.flow(f"Answered by {_label(rec, ext)}")
    at = rec.t if seen_ms is None else seen_ms
    row = rec.user_row(ext)
    if row.answered_ms is None:
        row.answered_ms = at
    _connected(rec, at)
    rec.cdr.final = (f"Ext.{ext}", ext, "Extension", rec.directory.user(ext).name)


def answer_remote(rec: CallRecord, number: str) -> None:
    rec.flow(f"Answered by {number}")
    _connected(rec, rec.t)
    rec.cdr.final = (number, "", "Line", "")


def forward(rec: CallRecord, from_ext: str, to_ext: str) -> None:
    rec.flow(f"Ext.{from_ext} no answer, forwarding to {_label(rec, to_ext)}")
    row = rec.user_row(to_ext)
    if not row.forwarded_from:
        row.forwarded_from = from_ext


def transfer(rec: CallRecord, by: str, to: str, kind: str) -> None:
    rec.flow(f"Transferred by Ext.{by} to {_label(rec, to)} ({kind})")
    rec.user_row(to).transfer = kind


def voicemail_left(rec: CallRecord, ext: str, seconds: int) -> None:
    length = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    rec.flow(f"Voicemail left for {_label(rec, ext)} ({length})")
    rec.voicemail = (ext, seconds, rec.t)


def terminate(rec: CallRecord, reason: str) -> None:
    rec.flow(f"Terminated; reason={reason}")
    rec.end_ms = rec.t
    rec.cdr.reason = reason


def recording_saved(rec: CallRecord, ext: str) -> None:
    name = f"{rec.clock.compact(rec.start_ms)}_{rec.number}_{ext}.wav"
    rec.flow(f"Recording saved [Ext.{ext}] {name}")
    rec.recordings.append(ext)
