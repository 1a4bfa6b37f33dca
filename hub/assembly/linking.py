"""Which call an event belongs to, for events given in any order.

Rules (kept small so the DB service can mirror them with one table ``qcid -> target``):

1. An event with ``pbx_call_id`` (every CallFlow line, a queue's ``call received``, a CDR
   record) belongs to that ``Call(C:N)``.
2. A queue event with only a QCID finds its call through a link:
   ``call received QCID=M Call(C:N)`` links M -> call N;
   ``QCID=M no answer, transferred ... as QCID=K`` links K -> QCID M;
   ``callback QCID=K for QCID=M`` links K -> QCID M.
   QCIDs are followed until a call number is reached (cycles are ignored).
3. C:N numbers recycle (the PBX restarts, the counter wraps). Within one pbx_call_id, each
   *start line* (``Incoming``/``Outgoing``/``Internal call``) opens a new call, and every
   other event belongs to the call with the latest start at or before it (events before the
   first start go to the first call). This is order-independent because it uses event times.
   The DB service mirrors it as: an event for N joins N's newest call unless it is a start
   line and that call already has one, in which case it opens a new call.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .assemble import sort_key

START_KINDS = frozenset({Kind.CALL_INCOMING, Kind.CALL_OUTGOING, Kind.CALL_INTERNAL})


class QcidLink(NamedTuple):
    qcid: str
    pbx_call_id: str | None = None  # the call this QCID belongs to, or …
    parent_qcid: str | None = None  # … the QCID whose call it shares


def _received(e: PbxEvent) -> list[QcidLink]:
    return [QcidLink(str(e.data["qcid"]), pbx_call_id=e.pbx_call_id)] if e.pbx_call_id else []


def _transferred(e: PbxEvent) -> list[QcidLink]:
    return [QcidLink(str(e.data["to_qcid"]), parent_qcid=str(e.data["qcid"]))]


def _callback(e: PbxEvent) -> list[QcidLink]:
    return [QcidLink(str(e.data["qcid"]), parent_qcid=str(e.data["for_qcid"]))]


_LINKERS = {
    Kind.QUEUE_CALL_RECEIVED: _received,
    Kind.QUEUE_CALL_TRANSFERRED: _transferred,
    Kind.QUEUE_CALLBACK_INITIATED: _callback,
}


def qcid_links(event: PbxEvent) -> list[QcidLink]:
    """The QCID links this event announces ([] for most events)."""
    linker = _LINKERS.get(event.kind)
    return linker(event) if linker else []


def resolve_qcid(qcid: str, qcid_map: Mapping[str, QcidLink]) -> str | None:
    seen: set[str] = set()
    while qcid not in seen:
        seen.add(qcid)
        link = qcid_map.get(qcid)
        if link is None:
            return None
        if link.pbx_call_id:
            return link.pbx_call_id
        qcid = link.parent_qcid or ""
    return None


def call_key_for(event: PbxEvent, qcid_map: Mapping[str, QcidLink]) -> str | None:
    """The pbx_call_id this event belongs to, or None (agent status; QCID not linked yet)."""
    if event.pbx_call_id:
        return event.pbx_call_id
    qcid = event.data.get("qcid")
    return resolve_qcid(str(qcid), qcid_map) if qcid else None


def build_qcid_map(events: Iterable[PbxEvent]) -> dict[str, QcidLink]:
    # Sorted so that, if a QCID is ever reused, the latest link wins the same way every time.
    links = [link for e in sorted(events, key=sort_key) for link in qcid_links(e)]
    return {link.qcid: link for link in links}


def _split_by_start(events: list[PbxEvent]) -> list[list[PbxEvent]]:
    ordered = sorted(events, key=sort_key)
    starts = sorted({e.occurred_at for e in ordered if e.kind in START_KINDS})
    calls: list[list[PbxEvent]] = [[] for _ in starts] or [[]]
    for event in ordered:
        index = sum(1 for at in starts if at <= event.occurred_at) - 1
        calls[max(index, 0)].append(event)
    return calls


def group_calls(events: Iterable[PbxEvent]) -> tuple[list[list[PbxEvent]], list[PbxEvent]]:
    """Split a stream into calls; returns (calls, events belonging to no call)."""
    events = list(events)
    qcid_map = build_qcid_map(events)
    by_call: dict[str, list[PbxEvent]] = defaultdict(list)
    loose: list[PbxEvent] = []
    for event in events:
        key = call_key_for(event, qcid_map)
        (by_call[key] if key else loose).append(event)
    calls = [call for key in sorted(by_call) for call in _split_by_start(by_call[key])]
    return calls, sorted(loose, key=sort_key)
