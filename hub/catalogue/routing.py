"""The hub's own trigger for where a call is routed (a queue, ring group, IVR, …).

Neither the cloud PBX nor seed 000 has one that carries the call's id; the 3CX Webhook
plugin says it with its ``ringing`` of ``usertype`` queue or other (seeds 001–003), which the
plugin dialects render from this trigger.
"""
from __future__ import annotations

from .cloud import _CALLER, _DEST, _START, _TYPE, _UID, QUEUES
from .types import Field, Trigger

TARGET_TYPES = ("queue", "ring_group", "ivr", "voicemail", "other")

ROUTING_TRIGGERS: tuple[Trigger, ...] = (
    Trigger("call_routed", QUEUES, "Call routed (queue, ring group, IVR)",
            "The call reaches a queue, ring group, IVR, voicemail box or another routing object of the "
            "PBX, before any phone rings there. A user's phone ringing is user_inbound.",
            (_TYPE, _UID, *_CALLER, _DEST, _START,
             Field("target_type", "string", " | ".join(TARGET_TYPES) + " (other: the PBX did not say; "
                   "the 3CX Webhook plugin's usertype other)"),
             Field("target_number", "string", "the object's extension number"),
             Field("target_name", "string", "the object's name; empty if not known"),
             Field("transfer_link", "integer", "the call's place in its transfer chain when it got there: "
                   "0 before anyone answered, then 1, +1 per transfer")),
            {"type": "call_routed", "unique_call_id": "250301091422_435", "caller_id": "0438045630",
             "caller_name": "John Smith", "dest_number": "0354060752",
             "call_start_at": "2025-03-01T09:14:22+11:00", "target_type": "queue", "target_number": "822",
             "target_name": "Sales", "transfer_link": 0}),
)
