"""Seed 000's ten events (3CX QueueManager/CallFlow log tailer), fields as in its README."""
from __future__ import annotations

from .types import Field, Trigger

FAMILY = "Queue legs (3CX Call Events to REST)"

_TS = Field("timestamp", "datetime", "when the PBX logged it, with the PBX's offset")
_QCID = Field("qcid", "string", "queue call id: one queue leg of the call")
_QUEUE = Field("queue", "string", "queue number")
_NUM = Field("caller_number", "string", "caller's phone number")
_NAME = Field("caller_name", "string", "caller's display name (may be empty)")
_CALL = Field("pbx_call_id", "string", "the PBX's call number, Call(C:N)")
_DID = Field("did", "string", "DID dialled (empty without the CallFlow log)")
_TRUNK = Field("trunk", "string", "carrier/trunk name (empty without the CallFlow log)")
_AGENT = Field("agent", "string", "agent extension")
_CB_NUM = Field("callback_number", "string", "number the callback dials")

_T = "2025-03-01T09:14:22+11:00"
_CALLER = {"caller_number": "0438045630", "caller_name": "John Smith", "pbx_call_id": "435"}


def _t(key: str, title: str, description: str, fields: tuple[Field, ...], sample: dict) -> Trigger:
    return Trigger(key, FAMILY, title, description, fields, sample)


SEED000_TRIGGERS: tuple[Trigger, ...] = (
    _t("call_received", "Call received", "A new inbound call enters a queue.",
       (_TS, _QCID, _QUEUE, _NUM, _NAME, _CALL, _DID, _TRUNK),
       {"timestamp": _T, "qcid": "2603", "queue": "822", **_CALLER, "did": "0354060752",
        "trunk": "Bendigo Telco"}),
    _t("call_answered", "Call answered", "An agent answers a queue call.",
       (_TS, _QCID, _QUEUE, _AGENT, _NUM, _NAME, _CALL),
       {"timestamp": _T, "qcid": "2603", "queue": "822", "agent": "108", **_CALLER}),
    _t("call_terminated", "Call terminated", "A queue call leg ends (Serviced, Abandoned, Callback requested, "
       "Transferred, Timeout).",
       (_TS, _QCID, _QUEUE, Field("reason", "string", "3CX's reason"), _NUM, _NAME, _CALL),
       {"timestamp": _T, "qcid": "2654", "queue": "822", "reason": "Serviced", **_CALLER}),
    _t("call_queue_transfer", "Call queue transfer", "A queue call is moved to another queue on no answer.",
       (_TS, _QCID, _QUEUE, Field("to_queue", "string", "queue the call moves to"),
        Field("new_qcid", "string", "the QCID announced for the new queue leg"), _NUM, _NAME, _CALL),
       {"timestamp": _T, "qcid": "2603", "queue": "822", "to_queue": "823", "new_qcid": "2654", **_CALLER}),
    _t("callback_requested", "Callback requested", "The caller asks to be called back (QCB).",
       (_TS, _QCID, _QUEUE, _CB_NUM, _NUM, _NAME, _CALL),
       {"timestamp": _T, "qcid": "2603", "queue": "822", "callback_number": "0438045630", **_CALLER}),
    _t("callback_initiated", "Callback initiated", "3CX starts dialling a requested callback.",
       (_TS, Field("qcid", "string", "the callback's own QCID"),
        Field("original_qcid", "string", "QCID of the queue call that asked for it"),
        _QUEUE, _AGENT, _CB_NUM, _CALL),
       {"timestamp": _T, "qcid": "2610", "original_qcid": "2603", "queue": "822", "agent": "108",
        "callback_number": "0438045630", "pbx_call_id": "435"}),
    _t("callback_failed", "Callback failed", "A callback attempt fails (busy, unreachable).",
       (_TS, Field("qcid", "string", "the callback's own QCID"), _QUEUE,
        Field("reason", "string", "why it failed"), _CB_NUM, _CALL),
       {"timestamp": _T, "qcid": "2610", "queue": "822", "reason": "Busy",
        "callback_number": "0438045630", "pbx_call_id": "435"}),
    _t("call_dtmf", "Call DTMF", "The caller presses a key while in a queue.",
       (_TS, _QCID, _QUEUE, Field("digit", "string", "the key pressed"), _NUM, _CALL),
       {"timestamp": _T, "qcid": "2603", "queue": "822", "digit": "2", "caller_number": "0438045630",
        "pbx_call_id": "435"}),
    _t("agent_status", "Agent status", "An agent's availability changes.",
       (_TS, _AGENT, Field("dial_number", "string", "number the queue dials for the agent"),
        Field("dialable", "boolean", "the queue may ring the agent"),
        Field("phone_reg", "boolean", "the agent's phone is registered"),
        Field("logged_in", "boolean", "the agent is logged in to the queue")),
       {"timestamp": _T, "agent": "108", "dial_number": "108", "dialable": True, "phone_reg": True,
        "logged_in": False}),
    _t("call_direct", "Direct call", "A user's phone rings outside any queue or ring group: a direct, "
       "internal or forwarded call.",
       (_TS, _CALL, _NUM, _NAME, Field("extension", "string", "the extension ringing"), _DID, _TRUNK,
        Field("forwarded_from", "string", "extension that forwarded the call; empty if not forwarded")),
       {"timestamp": _T, "pbx_call_id": "441", "caller_number": "0438045630", "caller_name": "John Smith",
        "extension": "109", "did": "0354060752", "trunk": "Bendigo Telco", "forwarded_from": ""}),
)
