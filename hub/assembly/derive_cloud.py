"""The cloud PBX's triggers (user_*, queue_call, ring_group_call, voicemail, recording_*)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.vocabulary.pbx_event import PbxEvent

from .catalogue_event import CatalogueEvent
from .names import Names
from .record import CallRecord, UserLeg, iso, seconds_between

Payload = dict[str, Any]


def _base(call: CallRecord, trigger: str, names: Names, user: str) -> Payload:
    return {"type": trigger, "unique_call_id": call.unique_call_id,
            "caller_id": call.caller_number, "caller_name": call.caller_name,
            "user_name": names.users.get(user, ""), "user_number": user,
            "dest_number": call.dest_number, "call_start_at": iso(call.call_start_at)}


def _done(call: CallRecord, connected: datetime | None, end: datetime) -> Payload:
    return {"connected_at": iso(connected), "call_duration": seconds_between(call.call_start_at, end),
            "conversation_duration": seconds_between(connected, end) or 0}


def _leg_id(call: CallRecord, leg: UserLeg) -> str:
    via = (f"q{leg.via_queue}" if leg.via_queue else f"rg{leg.via_ring_group}" if leg.via_ring_group
           else "transfer" if leg.transfer else f"fwd{leg.forwarded_from}" if leg.forwarded_from
           else "direct")
    same = [u for u in call.users if u.user == leg.user and _via(u) == _via(leg)]
    return f"{leg.user}@{via}" + (f"#{same.index(leg)}" if len(same) > 1 else "")


def _via(leg: UserLeg) -> tuple:
    return (leg.via_queue, leg.via_ring_group, leg.transfer, leg.forwarded_from)


def inbound_user_events(
    call: CallRecord, names: Names, events: list[PbxEvent], call_key: str
) -> list[CatalogueEvent]:
    # ``events`` is kept for derive.py's call; each leg's end is now UserLeg.ended_at.
    out: list[CatalogueEvent] = []
    links = _transfer_links(call)
    for leg in call.users[1:] if _has_originator(call) else call.users:
        key = (call_key, _leg_id(call, leg))
        via = {"queue_name": names.queues.get(leg.via_queue or "", ""), "queue_number": leg.via_queue or "",
               "ring_group_name": names.ring_groups.get(leg.via_ring_group or "", ""),
               "ring_group_number": leg.via_ring_group or "",
               "transfer": leg.transfer or "", "transfer_link": links.get(id(leg), 1)}
        base = _base(call, "", names, leg.user)
        rang = leg.rang_at or leg.answered_at
        if rang is not None:
            out.append(_ev(key, "user_inbound", rang, base | via))
        if leg.answered_at is not None:
            out.append(_ev(key, "user_inbound_answered", leg.answered_at,
                           base | {"connected_at": iso(leg.answered_at)} | via))
        end = leg.ended_at  # the transfer that handed the call on, else the call's end
        if end is not None:
            handed_on = leg.answered_at is not None and end != call.ended_at
            out.append(_ev(key, "user_inbound_completed", end, base | _done(call, leg.answered_at, end) | via
                           | _call_connected(call) | {"handed_on": handed_on}))
    return out


def outbound_user_events(call: CallRecord, names: Names, call_key: str) -> list[CatalogueEvent]:
    if not _has_originator(call):
        return []
    leg = call.users[0]
    key = (call_key, f"{leg.user}@origin")
    base = _base(call, "", names, leg.user)
    out = [_ev(key, "user_outbound", call.call_start_at, base)]
    if call.connected_at is not None:
        out.append(_ev(key, "user_outbound_answered", call.connected_at,
                       base | {"connected_at": iso(call.connected_at)}))
    if leg.ended_at is not None:  # the call's end, or the caller's transfer of it
        out.append(_ev(key, "user_outbound_completed", leg.ended_at,
                       base | _done(call, call.connected_at, leg.ended_at)))
    return out


def _transfer_links(call: CallRecord) -> dict[int, int]:
    """id() of each leg a transfer reached -> its place in the transfer chain: the first
    answered link is 1, each transfer adds one (the 3CX plugin's call id ends in it)."""
    reached = [leg for leg in call.users if leg.transfer]
    return {id(leg): index for index, leg in enumerate(reached, start=2)}


def _call_connected(call: CallRecord) -> Payload:
    # Whether the call went on to be answered by someone: a leg that missed it, or a queue that
    # lost it to another, is no missed call for the caller (the plugin dialect sends no end).
    return {"call_connected_at": iso(call.connected_at)}


def _has_originator(call: CallRecord) -> bool:
    return call.direction in ("outbound", "internal") and bool(call.users) and call.users[0].rang_at is None


def _ev(key: tuple[str, str], trigger: str, at: datetime, payload: Payload) -> CatalogueEvent:
    """``key`` is (call key, leg id); the stable event key puts the trigger between them."""
    call_key, leg = key
    return CatalogueEvent(f"{call_key}:{trigger}:{leg}", trigger, at, payload | {"type": trigger})


def _answered_at(call: CallRecord, user: str, **via: str) -> datetime | None:
    legs = [u for u in call.users if u.user == user and all(getattr(u, k) == v for k, v in via.items())]
    return min((u.answered_at for u in legs if u.answered_at), default=None)


def summary_events(call: CallRecord, names: Names, call_key: str) -> list[CatalogueEvent]:
    out = []
    for q in call.queues:
        if q.left_at is not None and (q.outcome or call.ended_at):
            payload = _base(call, "", names, q.agent) | _done(
                call, _answered_at(call, q.agent, via_queue=q.queue) if q.agent else None, q.left_at)
            payload |= {"queue_name": names.queues.get(q.queue, ""), "queue_number": q.queue,
                        "status": q.status} | _call_connected(call)
            out.append(_ev((call_key, q.qcid or q.queue), "queue_call", q.left_at, payload))
    for i, rg in enumerate(call.ring_groups):
        if call.ended_at is not None:
            connected = _answered_at(call, rg.agent, via_ring_group=rg.ring_group) if rg.agent else None
            payload = _base(call, "", names, rg.agent) | _done(call, connected, call.ended_at)
            payload |= {"ring_group_name": names.ring_groups.get(rg.ring_group, ""),
                        "ring_group_number": rg.ring_group, "status": rg.status} | _call_connected(call)
            out.append(_ev((call_key, f"{rg.ring_group}#{i}"), "ring_group_call", call.ended_at, payload))
    return out


def media_events(call: CallRecord, names: Names, call_key: str) -> list[CatalogueEvent]:
    out = []
    if call.voicemail is not None:
        vm = call.voicemail
        out.append(_ev((call_key, vm.user), "voicemail", vm.at,
                       _base(call, "", names, vm.user) | {"audio_file": [], "recording_state": "announced"}))
    trigger = "recording_outbound" if call.direction == "outbound" else "recording_inbound"
    for rec in call.recordings:
        payload = _base(call, "", names, rec.user) | {"call_recording_link": rec.file,
                                                      "recorded_at": iso(rec.at),
                                                      # Announced: the link goes in when its webhook is let out.
                                                      "recording_state": "announced"}
        out.append(_ev((call_key, rec.file), trigger, rec.at, payload))
    return out
