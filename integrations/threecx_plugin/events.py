"""What each plugin ``event`` means, as a table from event name to the events it yields.

Every call-event request also yields the call's start event (CALL_INCOMING or CALL_OUTGOING)
with a per-call dedupe key, so the store keeps one and the call assembler always sees a start,
whichever request of the call reached the hub first.

The plugin sends each request as its event happens, and names no time but the call's arrival
(in the call id): a Draft says how long before the request's moment its event happened
(``before``), which the parser turns into a time (parser.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hub.vocabulary.pbx_event import Kind
from integrations.push_errors import PushError


@dataclass(frozen=True, slots=True)
class Draft:
    kind: Kind
    data: dict[str, Any]
    call_start: bool = False  # occurred at the call id's time, one per call (dedupe by call)
    before: timedelta = timedelta(0)  # how long before the request's moment it happened


Fields = dict[str, str]

# A transfer is what made the phone ring: it comes just before the pickup it reports, so the
# assembler files the answer under the transfer (a leg with transfer=Blind/Attended).
_JUST_BEFORE = timedelta(microseconds=1)
# The end's title quotes the talk time last: "… (0:07)", "…(3:24)", "… (1:02:03)".
_TALK_TIME = re.compile(r"\((?:(\d+):)?(\d+):(\d\d)\)\s*$")
# "Missed call by queue 804 from …": the call ended at queue level and ``user`` is the queue.
_BY_QUEUE = re.compile(r"\bby queue\b", re.IGNORECASE)


def talk_time(title: str) -> timedelta | None:
    match = _TALK_TIME.search(title)
    if match is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _choice(fields: Fields, name: str, table: dict[str, Any], default: str) -> Any:
    value = fields.get(name, "").strip().lower() or default
    if value not in table:
        expected = ", ".join(key for key in table if key)
        raise PushError(name, f"unknown value {fields[name]!r}; expected one of {expected}")
    return table[value]


def _did(fields: Fields) -> str:
    did = fields.get("did", "").strip()
    return "" if did.lower() == "empty" else did  # the plugin writes "empty" for no DID


def _incoming(fields: Fields) -> Draft:
    data = {"caller_number": fields.get("callerid", ""), "did": _did(fields)}
    return Draft(Kind.CALL_INCOMING, data, call_start=True)


def _outgoing(fields: Fields) -> Draft:
    data = {"user": fields.get("user", ""), "dest_number": fields.get("callerid", "")}
    return Draft(Kind.CALL_OUTGOING, data, call_start=True)


def _queue(fields: Fields) -> list[Draft]:
    # The plugin reports no queue leg of its own (no QCID, no agent lines): the call entering
    # the queue opens one (parser.py names its QCID), and the user who answers through the
    # queue is its agent.
    queue = fields.get("user", "")
    return [Draft(Kind.CALL_ROUTED, {"target_type": "queue", "target": queue}),
            Draft(Kind.QUEUE_CALL_RECEIVED, {"queue": queue, "caller_number": fields.get("callerid", ""),
                                             "agents_from_answers": True})]


# usertype says what rang: a phone, a queue, or something else (IVR, ring group, …).
_RINGING: dict[str, Callable[[Fields], list[Draft]]] = {
    "ext": lambda fields: [Draft(Kind.USER_RINGING, {"user": fields.get("user", "")})],
    "queue": _queue,
    "other": lambda fields: [Draft(Kind.CALL_ROUTED, {"target_type": "other", "target": fields.get("user", "")})],
}
_TRANSFER_TYPES = {"notdef": None, "blind": "blind", "accomp": "attended"}
_FINISH_TYPES = {"ok": "Ok", "missed": "Missed", "": None}
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _ringing(fields: Fields) -> list[Draft]:
    return [_incoming(fields), *_choice(fields, "usertype", _RINGING, default="ext")(fields)]


Builder = Callable[[Fields], list[Draft]]


def _answered(start: Callable[[Fields], Draft], answerer: dict[str, str]) -> Builder:
    """``answerer`` maps data keys to plugin fields: the user (incoming) or far end (outgoing)."""

    def build(fields: Fields) -> list[Draft]:
        answered = {key: fields.get(name, "") for key, name in answerer.items()}
        drafts = [start(fields), Draft(Kind.CALL_ANSWERED, answered)]
        transfer_type = _choice(fields, "trtype", _TRANSFER_TYPES, default="notdef")
        if transfer_type:
            target = {"target_type": "user", "target": fields.get("user", ""), "transfer_type": transfer_type}
            drafts.append(Draft(Kind.CALL_TRANSFERRED, target, before=_JUST_BEFORE))
        return drafts

    return build


def _witnessed(fields: Fields, finish: str | None, answerer: dict[str, str]) -> list[Draft]:
    """What the end tells of the call's parties, for a call whose earlier requests were lost
    (or never sent: seed 003 shows an end on its own, seed 002's POST scheme rings every phone
    as usertype "other"): an answered end names who talked, and the title their talk time; a
    missed incoming end names the phone that rang, unless the call ended in a queue."""
    if finish == "Ok":
        # Dated at the end (it is the end that says so), answered talk_seconds before it.
        talked = talk_time(fields.get("title", "")) or timedelta(0)
        answered = {key: fields.get(name, "") for key, name in answerer.items()}
        return [Draft(Kind.CALL_ANSWERED, {**answered, "talk_seconds": int(talked.total_seconds())})]
    if finish == "Missed" and "user" in answerer \
            and not _BY_QUEUE.search(fields.get("title", "")):
        return [Draft(Kind.USER_RINGING, {"user": fields.get("user", "")})]
    return []


def _ended(start: Callable[[Fields], Draft], answerer: dict[str, str]) -> Builder:
    def build(fields: Fields) -> list[Draft]:
        finish = _choice(fields, "finishtype", _FINISH_TYPES, default="")
        summary = {"user": fields.get("user", ""), "title": fields.get("title", "")}
        if finish:
            summary |= {"reason": finish, "answered": finish == "Ok"}
        if _choice(fields, "transfer", _BOOLEANS, default="false"):
            # This link ended by a transfer, the call goes on: terminating it would be wrong.
            by_user = {"by_user": summary.pop("user"), **summary}
            return [start(fields), Draft(Kind.CALL_TRANSFERRED, by_user)]
        return [start(fields), *_witnessed(fields, finish, answerer), Draft(Kind.CALL_TERMINATED, summary)]

    return build


_INCOMING_ANSWERER = {"user": "user"}
_OUTGOING_ANSWERER = {"remote_number": "callerid"}

EVENTS: dict[str, Builder] = {
    "ringing": _ringing,
    "dialing": lambda fields: [_outgoing(fields)],
    "hangupincoming": _answered(_incoming, _INCOMING_ANSWERER),
    "hangupoutgoing": _answered(_outgoing, _OUTGOING_ANSWERER),
    "incoming": _ended(_incoming, _INCOMING_ANSWERER),
    "outgoing": _ended(_outgoing, _OUTGOING_ANSWERER),
}


# The values each choice field takes, read trimmed and case-blind (the plugin writes "Ok" and
# "OK", "False" and "false"); a blank one means "not said".
CHOICES: dict[str, tuple[str, ...]] = {
    "event": tuple(EVENTS),
    "usertype": tuple(_RINGING),
    "trtype": tuple(_TRANSFER_TYPES),
    "finishtype": tuple(key for key in _FINISH_TYPES if key),
    "transfer": tuple(_BOOLEANS),
}


def check_choices(fields: Fields) -> None:
    """Every choice field the request carries holds one of its values, whatever the event
    (a wrong one is the sender's mistake even where this event does not read it)."""
    for name, choices in CHOICES.items():
        value = fields.get(name, "").strip()
        # ASCII only: "K" (the Kelvin sign) lower-cases to "k", and no plugin writes it.
        if value and (not value.isascii() or value.lower() not in choices):
            what = "event" if name == "event" else "value"
            raise PushError(name, f"unknown {what} {fields[name]!r}; expected one of {', '.join(choices)}")


def drafts_for(fields: Fields) -> list[Draft]:
    name = fields.get("event", "").strip().lower()
    if not name:
        raise PushError("event", "missing (expected one of " + ", ".join(EVENTS) + ")")
    if name not in EVENTS:
        expected = ", ".join(EVENTS)
        raise PushError("event", f"unknown event {fields['event']!r}; expected one of {expected}")
    return EVENTS[name](fields)
