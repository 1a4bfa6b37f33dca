"""What each plugin ``event`` means, as a table from event name to the events it yields.

Every call-event request also yields the call's start event (CALL_INCOMING or CALL_OUTGOING)
with a per-call dedupe key, so the store keeps one and the call assembler always sees a start,
whichever request of the call reached the hub first.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.vocabulary.pbx_event import Kind
from integrations.push_errors import PushError


@dataclass(frozen=True, slots=True)
class Draft:
    kind: Kind
    data: dict[str, Any]
    call_start: bool = False  # occurred at the call id's time, one per call (dedupe by call)


Fields = dict[str, str]


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


# usertype says what rang: a phone, a queue, or something else (IVR, ring group, …).
_RINGING = {
    "ext": lambda user: Draft(Kind.USER_RINGING, {"user": user}),
    "queue": lambda user: Draft(Kind.CALL_ROUTED, {"target_type": "queue", "target": user}),
    "other": lambda user: Draft(Kind.CALL_ROUTED, {"target_type": "other", "target": user}),
}
_TRANSFER_TYPES = {"notdef": None, "blind": "blind", "accomp": "attended"}
_FINISH_TYPES = {"ok": "Ok", "missed": "Missed", "": None}
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _ringing(fields: Fields) -> list[Draft]:
    target = _choice(fields, "usertype", _RINGING, default="ext")
    return [_incoming(fields), target(fields.get("user", ""))]


Builder = Callable[[Fields], list[Draft]]


def _answered(start: Callable[[Fields], Draft], answerer: dict[str, str]) -> Builder:
    """``answerer`` maps data keys to plugin fields: the user (incoming) or far end (outgoing)."""

    def build(fields: Fields) -> list[Draft]:
        answered = {key: fields.get(name, "") for key, name in answerer.items()}
        drafts = [start(fields), Draft(Kind.CALL_ANSWERED, answered)]
        transfer_type = _choice(fields, "trtype", _TRANSFER_TYPES, default="notdef")
        if transfer_type:
            target = {"target_type": "user", "target": fields.get("user", "")}
            drafts.append(Draft(Kind.CALL_TRANSFERRED, {**target, "transfer_type": transfer_type}))
        return drafts

    return build


def _ended(start: Callable[[Fields], Draft]) -> Builder:
    def build(fields: Fields) -> list[Draft]:
        finish = _choice(fields, "finishtype", _FINISH_TYPES, default="")
        summary = {"user": fields.get("user", ""), "title": fields.get("title", "")}
        if finish:
            summary |= {"reason": finish, "answered": finish == "Ok"}
        if _choice(fields, "transfer", _BOOLEANS, default="false"):
            # This link ended by a transfer, the call goes on: terminating it would be wrong.
            by_user = {"by_user": summary.pop("user"), **summary}
            return [start(fields), Draft(Kind.CALL_TRANSFERRED, by_user)]
        return [start(fields), Draft(Kind.CALL_TERMINATED, summary)]

    return build


EVENTS: dict[str, Builder] = {
    "ringing": _ringing,
    "dialing": lambda fields: [_outgoing(fields)],
    "hangupincoming": _answered(_incoming, {"user": "user"}),
    "hangupoutgoing": _answered(_outgoing, {"remote_number": "callerid"}),
    "incoming": _ended(_incoming),
    "outgoing": _ended(_outgoing),
}


def drafts_for(fields: Fields) -> list[Draft]:
    name = fields.get("event", "").strip().lower()
    if not name:
        raise PushError("event", "missing (expected one of " + ", ".join(EVENTS) + ")")
    if name not in EVENTS:
        expected = ", ".join(EVENTS)
        raise PushError("event", f"unknown event {fields['event']!r}; expected one of {expected}")
    return EVENTS[name](fields)
