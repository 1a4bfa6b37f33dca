"""Hand-built PbxEvents for assembly tests, shaped like the log and CDR parsers' output."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

TZ = timezone(timedelta(hours=11))
DAY = datetime(2025, 3, 1, 9, 0, 0, tzinfo=TZ)

_QUEUE_KINDS = {k for k in Kind if k.value.startswith(("queue.", "agent."))}


def at(seconds: float) -> datetime:
    return DAY + timedelta(seconds=seconds)


def ev(kind: Kind, seconds: float, call: str | None = None, **data: Any) -> PbxEvent:
    source = Source.QUEUEMANAGER if kind in _QUEUE_KINDS else Source.CDR if kind == Kind.CDR_RECORD else Source.CALLFLOW
    raw = f"{seconds}|{kind}|{call}|{sorted(data.items())}"
    return PbxEvent(source, kind, at(seconds), call, hashlib.sha256(raw.encode()).hexdigest(), data, raw)


def incoming(s: float, call: str, number: str = "0438045630", name: str = "John Smith",
             did: str = "0354060752", trunk: str = "Bendigo Telco") -> PbxEvent:
    return ev(Kind.CALL_INCOMING, s, call, caller_number=number, caller_name=name,
              trunk_number="10001", trunk_name=trunk, did=did)


def outgoing(s: float, call: str, user: str, dest: str, user_name: str = "Mary Jones") -> PbxEvent:
    return ev(Kind.CALL_OUTGOING, s, call, user=user, user_name=user_name, dest_number=dest,
              trunk_number="10001", trunk_name="Bendigo Telco")


def internal(s: float, call: str, user: str, dest: str) -> PbxEvent:
    return ev(Kind.CALL_INTERNAL, s, call, user=user, user_name=f"User {user}", dest_user=dest,
              dest_user_name=f"User {dest}")


def routed(s: float, call: str, target_type: str, target: str, target_name: str = "") -> PbxEvent:
    return ev(Kind.CALL_ROUTED, s, call, target_type=target_type, target=target, target_name=target_name)


def ringing(s: float, call: str, user: str) -> PbxEvent:
    return ev(Kind.USER_RINGING, s, call, user=user, user_name=f"User {user}")


def answered(s: float, call: str, user: str | None = None, remote: str | None = None) -> PbxEvent:
    data = {"user": user, "user_name": f"User {user}"} if user else {"remote_number": remote}
    return ev(Kind.CALL_ANSWERED, s, call, **data)


def terminated(s: float, call: str, reason: str = "TerminatedBySrc") -> PbxEvent:
    return ev(Kind.CALL_TERMINATED, s, call, reason=reason)


def q_received(s: float, call: str, queue: str, qcid: str, number: str = "0438045630",
               name: str = "John Smith") -> PbxEvent:
    return ev(Kind.QUEUE_CALL_RECEIVED, s, call, queue=queue, queue_name=f"Q{queue}", qcid=qcid,
              caller_number=number, caller_name=name)


def q(kind: Kind, s: float, queue: str, qcid: str, **data: Any) -> PbxEvent:
    return ev(kind, s, None, queue=queue, qcid=qcid, **data)


def queue_call(call: str = "435", answered_by: str | None = "108") -> list[PbxEvent]:
    """An inbound call through queue 822: agents 107 and 108 ring, ``answered_by`` answers."""
    events = [incoming(0.1, call), routed(0.2, call, "queue", "822", "Sales"),
              q_received(0.3, call, "822", "2603"),
              q(Kind.QUEUE_AGENT_RINGING, 2.0, "822", "2603", agent="107"), ringing(2.05, call, "107"),
              q(Kind.QUEUE_AGENT_RINGING, 3.0, "822", "2603", agent="108"), ringing(3.05, call, "108")]
    if answered_by:
        events += [q(Kind.QUEUE_CALL_ANSWERED, 9.5, "822", "2603", agent=answered_by),
                   answered(9.6, call, answered_by),
                   q(Kind.QUEUE_CALL_TERMINATED, 60.2, "822", "2603", reason="Serviced"),
                   terminated(60.3, call, "TerminatedByDst")]
    else:
        events += [q(Kind.QUEUE_CALL_TERMINATED, 30.2, "822", "2603", reason="Abandoned"),
                   terminated(30.3, call)]
    return events
