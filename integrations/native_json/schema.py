"""Which ``data`` keys each kind knows and their types (pbx_event.py's table, made checkable).

Keys not listed are allowed and kept; listed keys must have the listed type, and the two
enumerations the call assembler branches on must hold a known value.
"""
from __future__ import annotations

from hub.vocabulary.pbx_event import Kind

STR, INT, BOOL = "string", "integer", "boolean"


def _strings(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, STR)


DATA_TYPES: dict[Kind, dict[str, str]] = {
    Kind.CALL_INCOMING: _strings(
        "caller_number", "caller_name", "trunk_number", "trunk_name", "did"
    ),
    Kind.CALL_OUTGOING: _strings("user", "user_name", "dest_number", "trunk_number", "trunk_name"),
    Kind.CALL_INTERNAL: _strings("user", "user_name", "dest_user", "dest_user_name"),
    Kind.CALL_ROUTED: _strings("target_type", "target", "target_name"),
    Kind.USER_RINGING: _strings("user", "user_name"),
    Kind.CALL_ANSWERED: _strings("user", "user_name", "remote_number"),
    Kind.CALL_FORWARDED: _strings("from_user", "target_type", "target", "target_name", "reason"),
    Kind.CALL_TRANSFERRED: _strings(
        "by_user", "target_type", "target", "target_name", "transfer_type"
    ),
    Kind.VOICEMAIL_LEFT: {**_strings("user", "user_name"), "duration": INT},
    Kind.RECORDING_SAVED: _strings("user", "file"),
    Kind.CALL_TERMINATED: _strings("reason"),
    Kind.QUEUE_CALL_RECEIVED: _strings(
        "queue", "queue_name", "qcid", "caller_number", "caller_name"
    ),
    Kind.QUEUE_AGENT_RINGING: _strings("queue", "qcid", "agent"),
    Kind.QUEUE_CALL_ANSWERED: _strings("queue", "qcid", "agent"),
    Kind.QUEUE_CALL_TERMINATED: _strings("queue", "qcid", "reason"),
    Kind.QUEUE_CALL_TRANSFERRED: _strings("queue", "qcid", "to_queue", "to_qcid"),
    Kind.QUEUE_CALLBACK_REQUESTED: _strings("queue", "qcid", "number"),
    Kind.QUEUE_CALLBACK_INITIATED: _strings("queue", "qcid", "for_qcid", "number", "agent"),
    Kind.QUEUE_CALLBACK_FAILED: _strings("queue", "qcid", "reason"),
    Kind.QUEUE_DTMF: _strings("queue", "qcid", "digit"),
    Kind.AGENT_STATUS: {
        "agent": STR, "dial_number": STR, "dialable": BOOL, "registered": BOOL, "logged_in": BOOL,
    },
}

# cdr.record is 3CX's own format; a native push must describe the call in event terms instead.
PUSHABLE_KINDS = tuple(DATA_TYPES)

# Keys a queue event cannot do without: the QCID is how its call is found at all.
REQUIRED: dict[Kind, tuple[str, ...]] = {
    **{kind: ("qcid",) for kind in DATA_TYPES if kind.value.startswith("queue.")},
    Kind.QUEUE_CALL_TRANSFERRED: ("qcid", "to_qcid"),
    Kind.QUEUE_CALLBACK_INITIATED: ("qcid", "for_qcid"),
}

ENUMS: dict[str, tuple[str, ...]] = {
    "target_type": ("queue", "ivr", "ring_group", "user", "voicemail"),
    "transfer_type": ("blind", "attended"),
}
