"""Seed 000's events: one per QueueManager line, plus call_direct from CallFlow user legs."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .catalogue_event import CatalogueEvent
from .draft import ext
from .finish import CallerFacts
from .record import CallRecord, UserLeg, iso

Payload = dict[str, Any]
# What a seed line's event reads of its call: its caller facts (a whole record has them too).
Caller = CallerFacts | CallRecord


def _caller(call: Caller, with_name: bool = True) -> Payload:
    out: Payload = {"caller_number": call.caller_number}
    if with_name:
        out["caller_name"] = call.caller_name
    return out | {"pbx_call_id": call.pbx_call_id or ""}


def _leg(e: PbxEvent) -> Payload:
    return {"timestamp": iso(e.occurred_at), "qcid": str(e.data.get("qcid", "")),
            "queue": str(e.data.get("queue", ""))}


def _received(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    return _leg(e) | _caller(call) | {"did": call.did, "trunk": call.trunk}


def _answered(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    return _leg(e) | {"agent": ext(e.data.get("agent"))} | _caller(call)


def _terminated(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    return _leg(e) | {"reason": str(e.data.get("reason", ""))} | _caller(call)


def _transferred(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    moved = {"to_queue": str(e.data.get("to_queue", "")), "new_qcid": str(e.data.get("to_qcid", ""))}
    return _leg(e) | moved | _caller(call)


def _cb_requested(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    return _leg(e) | {"callback_number": str(e.data.get("number", ""))} | _caller(call)


def _cb_initiated(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    d = e.data
    return {"timestamp": iso(e.occurred_at), "qcid": str(d.get("qcid", "")),
            "original_qcid": str(d.get("for_qcid", "")), "queue": str(d.get("queue", "")),
            "agent": ext(d.get("agent")), "callback_number": str(d.get("number", "")),
            "pbx_call_id": call.pbx_call_id or ""}


def _cb_failed(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    # The failure line names only the callback's QCID; its number is on the "dialling" line.
    number = ctx["callback_numbers"].get(str(e.data.get("qcid", "")), "")
    return _leg(e) | {"reason": str(e.data.get("reason", "")), "callback_number": number,
                      "pbx_call_id": call.pbx_call_id or ""}


def _dtmf(call: Caller, e: PbxEvent, ctx: dict) -> Payload:
    return _leg(e) | {"digit": str(e.data.get("digit", ""))} | _caller(call, with_name=False)


SEED_BUILDERS: dict[Kind, tuple[str, Callable[[Caller, PbxEvent, dict], Payload]]] = {
    Kind.QUEUE_CALL_RECEIVED: ("call_received", _received),
    Kind.QUEUE_CALL_ANSWERED: ("call_answered", _answered),
    Kind.QUEUE_CALL_TERMINATED: ("call_terminated", _terminated),
    Kind.QUEUE_CALL_TRANSFERRED: ("call_queue_transfer", _transferred),
    Kind.QUEUE_CALLBACK_REQUESTED: ("callback_requested", _cb_requested),
    Kind.QUEUE_CALLBACK_INITIATED: ("callback_initiated", _cb_initiated),
    Kind.QUEUE_CALLBACK_FAILED: ("callback_failed", _cb_failed),
    Kind.QUEUE_DTMF: ("call_dtmf", _dtmf),
}

SEED_TRIGGERS = tuple(trigger for trigger, _ in SEED_BUILDERS.values())


def seed_queue_events(call: Caller, events: list[PbxEvent], call_key: str,
                      since: int = 0) -> list[CatalogueEvent]:
    """The events of the QueueManager lines among ``events`` from index ``since`` on; each
    reads its line and the caller facts of the call as of ``events``."""
    ctx = {"callback_numbers": {str(e.data.get("qcid")): str(e.data.get("number", ""))
                                for e in events if e.kind == Kind.QUEUE_CALLBACK_INITIATED}}
    out = []
    for event in events[since:]:
        trigger, build = SEED_BUILDERS.get(event.kind, (None, None))
        if trigger:
            key = f"{call_key}:{trigger}:{event.dedupe_key}"
            out.append(CatalogueEvent(key, trigger, event.occurred_at, build(call, event, ctx)))
    return out


def _is_direct(call: CallRecord, leg: UserLeg) -> bool:
    # Queue, ring-group and transfer rings are not "direct"; the originator never rings.
    via = leg.via_queue or leg.via_ring_group or leg.transfer
    return not via and leg.rang_at is not None


def call_direct_events(call: CallRecord, call_key: str) -> list[CatalogueEvent]:
    out = []
    for leg in (u for u in call.users if _is_direct(call, u)):
        payload = {"timestamp": iso(leg.rang_at), "pbx_call_id": call.pbx_call_id or "",
                   "caller_number": call.caller_number, "caller_name": call.caller_name,
                   "extension": leg.user, "did": call.did, "trunk": call.trunk,
                   "forwarded_from": leg.forwarded_from or ""}
        key = f"{call_key}:call_direct:{leg.user}:{leg.forwarded_from or ''}"
        out.append(CatalogueEvent(key, "call_direct", leg.rang_at, payload))
    return out


def agent_status_event(event: PbxEvent) -> CatalogueEvent:
    d = event.data
    payload = {"timestamp": iso(event.occurred_at), "agent": ext(d.get("agent")),
               "dial_number": str(d.get("dial_number", "")), "dialable": bool(d.get("dialable")),
               "phone_reg": bool(d.get("registered")), "logged_in": bool(d.get("logged_in"))}
    return CatalogueEvent(f"agent_status:{event.dedupe_key}", "agent_status", event.occurred_at, payload)
