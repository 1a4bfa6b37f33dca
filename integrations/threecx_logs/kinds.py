"""Which regex groups a rule must / may capture for each Kind (mirrors ``PbxEvent``'s table).

Checked when a rules file is loaded, so a typo in an operator's file (``caler_name``) fails
loudly instead of silently producing events without the key.
"""
from __future__ import annotations

from dataclasses import dataclass

from hub.vocabulary.pbx_event import Kind

CALL_ID_GROUP = "pbx_call_id"


@dataclass(frozen=True, slots=True)
class DataShape:
    allowed: frozenset[str]
    # Each entry is a set of alternatives; at least one of them must be a group.
    required: tuple[frozenset[str], ...]


def _shape(allowed: str, required: str = "", *, call_id: bool = False) -> DataShape:
    keys = set(allowed.split())
    needs = [frozenset(alt.split("|")) for alt in required.split()]
    if call_id:
        needs.append(frozenset({CALL_ID_GROUP}))
    return DataShape(frozenset(keys | {CALL_ID_GROUP}), tuple(needs))


TARGET = "target_type target target_name"

SHAPES: dict[Kind, DataShape] = {
    Kind.CALL_INCOMING: _shape(
        "caller_number caller_name trunk_number trunk_name did", "caller_number", call_id=True
    ),
    Kind.CALL_OUTGOING: _shape(
        "user user_name dest_number trunk_number trunk_name", "user dest_number", call_id=True
    ),
    Kind.CALL_INTERNAL: _shape(
        "user user_name dest_user dest_user_name", "user dest_user", call_id=True
    ),
    Kind.CALL_ROUTED: _shape(TARGET, "target_type target", call_id=True),
    Kind.USER_RINGING: _shape("user user_name", "user", call_id=True),
    Kind.CALL_ANSWERED: _shape("user user_name remote_number", "user|remote_number", call_id=True),
    Kind.CALL_FORWARDED: _shape(f"from_user reason {TARGET}", "target_type target", call_id=True),
    Kind.CALL_TRANSFERRED: _shape(
        f"by_user transfer_type {TARGET}", "target_type target", call_id=True
    ),
    Kind.VOICEMAIL_LEFT: _shape("user user_name duration", "user", call_id=True),
    Kind.RECORDING_SAVED: _shape("user file", "file", call_id=True),
    Kind.CALL_TERMINATED: _shape("reason", "reason", call_id=True),
    Kind.QUEUE_CALL_RECEIVED: _shape(
        "queue queue_name qcid caller_number caller_name", "queue qcid", call_id=True
    ),
    Kind.QUEUE_AGENT_RINGING: _shape("queue qcid agent", "queue qcid agent"),
    Kind.QUEUE_CALL_ANSWERED: _shape("queue qcid agent", "queue qcid agent"),
    Kind.QUEUE_CALL_TERMINATED: _shape("queue qcid reason", "queue qcid reason"),
    Kind.QUEUE_CALL_TRANSFERRED: _shape("queue qcid to_queue to_qcid", "queue qcid to_queue"),
    Kind.QUEUE_CALLBACK_REQUESTED: _shape("queue qcid number", "queue qcid"),
    Kind.QUEUE_CALLBACK_INITIATED: _shape("queue qcid for_qcid number agent", "queue qcid"),
    Kind.QUEUE_CALLBACK_FAILED: _shape("queue qcid reason", "queue qcid"),
    Kind.QUEUE_DTMF: _shape("queue qcid digit", "queue qcid digit"),
    Kind.AGENT_STATUS: _shape("agent dial_number dialable registered logged_in", "agent"),
}
