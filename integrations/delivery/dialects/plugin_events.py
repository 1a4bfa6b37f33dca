"""Catalogue triggers as the "3CX Webhook" plugin's events (formats.md §4, seeds 001–003).

Each builder returns the plugin's fields in the plugin's order, or None when the plugin would
not have sent anything for this event. Triggers missing from ``PLUGIN_EVENTS`` have no plugin
equivalent (component events, seed 000's queue-leg events: those carry no call start time, so
the plugin's call id could not be formed).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Payload = Mapping[str, Any]
Fields = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class PluginMessage:
    fields: Fields  # ordered (name, value); the plugin's values are all strings
    files: list[str] | None = None  # set on the recording message only


def _call_id(payload: Payload, answered: bool) -> str:
    # yymmddHHMMSS_N-L: link 0 until someone answers, 1 once answered, +1 per transfer; a
    # phone a transfer makes ring is on the link of the user transferring.
    link = int(payload.get("transfer_link") or 1)
    return f"{payload['unique_call_id']}-{link if answered else link - 1}"


_TRTYPES = {"Blind": "Blind", "Attended": "Accomp"}


def _trtype(p: Payload) -> str:
    return _TRTYPES.get(p.get("transfer") or "", "NotDef")


def _talk_time(seconds: int) -> str:
    minutes, secs = divmod(max(int(seconds or 0), 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _answered(payload: Payload) -> bool:
    return bool(payload.get("connected_at")) or int(payload.get("conversation_duration") or 0) > 0


def _did_prefix(did: str) -> str:
    return f"{did}:" if did else ""  # the plugin prefixes its DID rule's name


def _ringing(p: Payload) -> Fields:
    return [("event", "ringing"), ("callerid", p["caller_id"]), ("user", p["user_number"]),
            ("usertype", "ext"), ("did", p["dest_number"]), ("id", _call_id(p, False))]


# What rang, in the plugin's words: a queue, or "other" (an IVR, a ring group, …). It names no
# voicemail box, which a user's own number would stand for.
_USERTYPES = {"queue": "queue", "ring_group": "other", "ivr": "other", "other": "other"}


def _routed(p: Payload) -> Fields | None:
    usertype = _USERTYPES.get(p["target_type"])
    if usertype is None:
        return None
    return [("event", "ringing"), ("callerid", p["caller_id"]), ("user", p["target_number"]),
            ("usertype", usertype), ("did", p["dest_number"]), ("id", f"{p['unique_call_id']}-{p['transfer_link']}")]


def _dialing(p: Payload) -> Fields:
    return [("event", "dialing"), ("callerid", p["dest_number"]), ("user", p["user_number"]),
            ("id", _call_id(p, False))]


def _hangup(event: str, number: str, did: Callable[[Payload], str]) -> Callable[[Payload], Fields]:
    def build(p: Payload) -> Fields:
        return [("event", event), ("callerid", p[number]), ("user", p["user_number"]),
                ("did", did(p)), ("trtype", _trtype(p)), ("id", _call_id(p, True))]

    return build


def _ended(event: str, callerid: str, user: str, did: str, ok: bool, title: str, call_id: str,
           handed_on: bool = False) -> Fields:
    return [("event", event), ("callerid", callerid), ("user", user),
            ("finishtype", "Ok" if ok else "Missed"), ("transfer", "True" if handed_on else "False"),
            ("did", did), ("title", title), ("id", call_id)]


def _went_on(p: Payload) -> bool:
    """Someone else answered the call: the plugin says nothing of a phone (or queue) that
    stopped ringing while the call went on (seed 001's note)."""
    return bool(p.get("call_connected_at"))


def _via_group(p: Payload) -> bool:
    return any(p.get(name) for name in ("queue_number", "queue_name", "ring_group_number", "ring_group_name"))


def _incoming_ended(p: Payload) -> Fields | None:
    ok = _answered(p)
    if not ok and (_via_group(p) or _went_on(p)):
        return None  # a queue's (ring group's) missed call is reported once, at its level
    caller, did = p["caller_id"], p["dest_number"]
    title = (f"{_did_prefix(did)}Answered call from {caller} ({_talk_time(p['conversation_duration'])})"
             if ok else f"{_did_prefix(did)}Missed call by User {p['user_number']} from {caller}")
    return _ended("incoming", caller, p["user_number"], did, ok, title, _call_id(p, ok), bool(p.get("handed_on")))


def _outgoing_ended(p: Payload) -> Fields:
    ok, number = _answered(p), p["dest_number"]
    title = (f"Successful call to {number} ({_talk_time(p['conversation_duration'])})"
             if ok else f"Unanswered call to {number}")
    return _ended("outgoing", number, p["user_number"], "", ok, title, _call_id(p, ok))


def _queue_missed(p: Payload) -> Fields | None:
    if p.get("status") != "abandoned" or _went_on(p):
        return None  # answered: the agent's user_inbound_completed is the plugin's end event
    # The plugin names the queue by its extension (seed 002: user=804, "by queue 804").
    caller, did, queue = p["caller_id"], p["dest_number"], p.get("queue_number") or p["queue_name"]
    title = f"{_did_prefix(did)}Missed call by queue {queue} from {caller}"
    return _ended("incoming", caller, queue, did, False, title, _call_id(p, False))


def _ring_group_missed(p: Payload) -> Fields | None:
    # As a queue's (seed 001: "if the call is missed, and it ended at the queue level, then this
    # will be the queue extension"): the ring group's extension, once; no seed shows its title.
    if p.get("status") != "abandoned" or _went_on(p):
        return None
    caller, did, group = p["caller_id"], p["dest_number"], p.get("ring_group_number") or p["ring_group_name"]
    title = f"{_did_prefix(did)}Missed call by ring group {group} from {caller}"
    return _ended("incoming", caller, group, did, False, title, _call_id(p, False))


def _voicemail(p: Payload) -> PluginMessage | None:
    """The plugin has no voicemail event: the audio goes as its recording message (FILES), whose
    full info is the missed end of the user the caller left it for. Nothing before the audio
    has a link."""
    if not p.get("audio_file"):
        return None
    caller, did, user = p["caller_id"], p["dest_number"], p["user_number"]
    title = f"{_did_prefix(did)}Missed call by User {user} from {caller}"
    return PluginMessage(_ended("incoming", caller, user, did, False, title, _call_id(p, False)),
                         files=list(p["audio_file"]))


def _recording(event: str, number: str, did: Callable[[Payload], str]) -> Callable[[Payload], PluginMessage]:
    # The recording exists, so the call was answered; its payload has no talk time to quote.
    def build(p: Payload) -> PluginMessage:
        title = f"Successful call to {p[number]}"
        fields = _ended(event, p[number], p["user_number"], did(p), True, title, _call_id(p, True))
        # The hub's signed link once the audio is stored; none when it never came.
        link = p["call_recording_link"]
        return PluginMessage(fields, files=[link] if link else [])

    return build


def _inbound_did(p: Payload) -> str:
    return p["dest_number"]


def _no_did(p: Payload) -> str:
    return ""


def _message(build: Callable[[Payload], Fields | None]) -> Callable[[Payload], PluginMessage | None]:
    def wrap(p: Payload) -> PluginMessage | None:
        fields = build(p)
        return None if fields is None else PluginMessage(fields)

    return wrap


PLUGIN_EVENTS: Mapping[str, Callable[[Payload], PluginMessage | None]] = {
    "call_routed": _message(_routed),
    "user_inbound": _message(_ringing),
    "user_outbound": _message(_dialing),
    "user_inbound_answered": _message(_hangup("hangupincoming", "caller_id", _inbound_did)),
    "user_outbound_answered": _message(_hangup("hangupoutgoing", "dest_number", _no_did)),
    "user_inbound_completed": _message(_incoming_ended),
    "user_outbound_completed": _message(_outgoing_ended),
    "queue_call": _message(_queue_missed),
    "ring_group_call": _message(_ring_group_missed),
    "voicemail": _voicemail,
    "recording_inbound": _recording("incoming", "caller_id", _inbound_did),
    "recording_outbound": _recording("outgoing", "dest_number", _no_did),
}


def plugin_message(trigger: str, payload: Payload) -> PluginMessage | None:
    build = PLUGIN_EVENTS.get(trigger)
    return None if build is None else build(payload)
