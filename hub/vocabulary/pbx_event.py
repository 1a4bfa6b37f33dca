"""The one normalised event that every PBX source produces.

Adapters (``integrations/<source>``) turn raw input into ``PbxEvent``; services store them
(once per ``dedupe_key``) and assemble calls from them. Plain data: no Django, no I/O.

``data`` keys per kind (all strings unless noted; absent keys mean "not known"):

======================== ==================================================================
kind                     data
======================== ==================================================================
call.incoming            caller_number, caller_name, trunk_number, trunk_name, did
call.outgoing            user, user_name, dest_number, trunk_number, trunk_name
call.internal            user, user_name, dest_user, dest_user_name
call.routed              target_type (queue|ivr|ring_group|user|voicemail|other), target,
                         target_name
user.ringing             user, user_name
call.answered            user, user_name (an extension answered) or remote_number;
                         talk_seconds (int): reported at the end, answered this long before
call.forwarded           from_user, target_type, target, target_name, reason ("no_answer")
call.transferred         by_user, target_type, target, target_name,
                         transfer_type (blind|attended)
voicemail.left           user, user_name, duration (int seconds)
recording.saved          user, file (name or URL), call_start_at (ISO 8601, when known)
call.terminated          reason (TerminatedBySrc, TerminatedByDst, NoAnswer, Busy, Failed, …)
queue.call_received      queue, queue_name, qcid, caller_number, caller_name,
                         agents_from_answers (bool: no agent lines follow; whoever answers
                         through the queue is its agent)
queue.agent_ringing      queue, qcid, agent
queue.call_answered      queue, qcid, agent
queue.call_terminated    queue, qcid, reason (Serviced, Abandoned, Callback requested, …)
queue.call_transferred   queue, qcid, to_queue, to_qcid
queue.callback_requested queue, qcid, number
queue.callback_initiated queue, qcid (the callback's), for_qcid, number, agent
queue.callback_failed    queue, qcid (the callback's), reason
queue.dtmf               queue, qcid, digit
agent.status             agent, dial_number, dialable (bool), registered (bool),
                         logged_in (bool)
cdr.record               every CDR field by its 3CX name (history_id, call_id, duration
                         (int s), time_start/time_answered/time_end (ISO 8601 UTC or ""),
                         reason_terminated, from_no, to_no, from_dn, to_dn, dial_no,
                         reason_changed, final_number, final_dn, bill_*, chain (list),
                         from_type, to_type, final_type, from_dispname, to_dispname,
                         final_dispname, missed_queue_calls (list))
======================== ==================================================================

Queue-manager lines after ``call received`` name only the QCID, so their ``pbx_call_id`` is
``None``; the call is found through the QCID the ``call received`` line linked to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    CALLFLOW = "callflow"
    QUEUEMANAGER = "queuemanager"
    CDR = "cdr"
    PLUGIN = "3cx-webhook"
    NATIVE = "native"


class Kind(StrEnum):
    CALL_INCOMING = "call.incoming"
    CALL_OUTGOING = "call.outgoing"
    CALL_INTERNAL = "call.internal"
    CALL_ROUTED = "call.routed"
    USER_RINGING = "user.ringing"
    CALL_ANSWERED = "call.answered"
    CALL_FORWARDED = "call.forwarded"
    CALL_TRANSFERRED = "call.transferred"
    VOICEMAIL_LEFT = "voicemail.left"
    RECORDING_SAVED = "recording.saved"
    CALL_TERMINATED = "call.terminated"
    QUEUE_CALL_RECEIVED = "queue.call_received"
    QUEUE_AGENT_RINGING = "queue.agent_ringing"
    QUEUE_CALL_ANSWERED = "queue.call_answered"
    QUEUE_CALL_TERMINATED = "queue.call_terminated"
    QUEUE_CALL_TRANSFERRED = "queue.call_transferred"
    QUEUE_CALLBACK_REQUESTED = "queue.callback_requested"
    QUEUE_CALLBACK_INITIATED = "queue.callback_initiated"
    QUEUE_CALLBACK_FAILED = "queue.callback_failed"
    QUEUE_DTMF = "queue.dtmf"
    AGENT_STATUS = "agent.status"
    CDR_RECORD = "cdr.record"


@dataclass(frozen=True, slots=True)
class PbxEvent:
    source: Source
    kind: Kind
    occurred_at: datetime  # always timezone-aware
    pbx_call_id: str | None  # 3CX's Call(C:N) number, the join key across sources
    dedupe_key: str  # equal keys (per PBX and source) mean the same event seen twice
    data: dict[str, Any] = field(default_factory=dict)
    raw: str = ""  # the record as read, for the event log and debugging
