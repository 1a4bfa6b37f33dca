"""Which ``data`` keys each kind knows and their types (pbx_event.py's table, made checkable).

Keys not listed are allowed and kept; listed keys must have the listed type, text no longer
than the column it is stored in, and the two enumerations the call assembler branches on must
hold a known value. The parser checks pushes against these tables; they are plain data so that
an OpenAPI description of the push can be generated from them too.
"""
from __future__ import annotations

from hub.vocabulary.pbx_event import Kind

STR, INT, BOOL, TIME = "string", "integer", "boolean", "date-time"


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
    # talk_seconds: an end that reports the talk time tells of an answer that long before it.
    Kind.CALL_ANSWERED: {**_strings("user", "user_name", "remote_number"), "talk_seconds": INT},
    Kind.CALL_FORWARDED: _strings("from_user", "target_type", "target", "target_name", "reason"),
    Kind.CALL_TRANSFERRED: _strings(
        "by_user", "target_type", "target", "target_name", "transfer_type"
    ),
    Kind.VOICEMAIL_LEFT: {**_strings("user", "user_name"), "duration": INT},
    # call_start_at: when the call began, for a recording that may be all the hub hears of it.
    Kind.RECORDING_SAVED: {**_strings("user", "file"), "call_start_at": TIME},
    Kind.CALL_TERMINATED: _strings("reason"),
    # agents_from_answers: no agent lines follow; whoever answers through the queue is its agent.
    Kind.QUEUE_CALL_RECEIVED: {
        **_strings("queue", "queue_name", "qcid", "caller_number", "caller_name"), "agents_from_answers": BOOL,
    },
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

# The longest text a key may hold: the column it ends up in (hub/models/calls.py, directory.py).
# A key means the same thing in every kind, so one table serves them all.
_EXTENSION, _NUMBER, _NAME = 32, 64, 200
MAX_LENGTHS: dict[str, int] = {
    **dict.fromkeys(("user", "dest_user", "from_user", "by_user", "target", "agent", "queue", "to_queue",
                     "dial_number"), _EXTENSION),
    **dict.fromkeys(("caller_number", "dest_number", "remote_number", "did", "trunk_number", "number", "digit",
                     "qcid", "to_qcid", "for_qcid"), _NUMBER),
    **dict.fromkeys(("caller_name", "user_name", "dest_user_name", "target_name", "queue_name", "trunk_name"), _NAME),
    "reason": 40,
    "file": 500,
}
# Whole numbers are seconds (a voicemail's length, a talk time): a 32-bit count is decades.
MAX_INT = 2**31 - 1

# An RFC 3339 date-time with its offset, in years 1970-2999 (no phone call happened in year 1;
# such a date is a bug on the sender's side). Seconds stop at 59: Python has no leap second.
TIMESTAMP_PATTERN = (
    r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
