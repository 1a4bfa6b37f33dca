"""Write assembled CallRecords to their Call rows and legs, a whole batch at a time."""
from __future__ import annotations

from hashlib import blake2b

from hub.assembly import CallRecord
from hub.models import Call, CallState, QueueLeg, Recording, RingGroupLeg, UserLeg
from hub.services.ingest.fast_insert import rows_insert, rows_update
from hub.services.ingest.sql_in import delete_in

def _values(call: Call, record: CallRecord, last_event_at, emit_due_at) -> dict:
    state = (CallState.CLOSED_IDLE if record.closed_reason
             else CallState.ENDED if record.ended else CallState.IN_PROGRESS)
    return {
        "unique_call_id": record.unique_call_id, "direction": record.direction, "state": state,
        "caller_number": record.caller_number or "", "caller_name": record.caller_name or "",
        "dest_number": record.dest_number or "", "did": record.did or "", "trunk": record.trunk or "",
        "call_start_at": record.call_start_at, "connected_at": record.connected_at, "ended_at": record.ended_at,
        "call_duration": record.call_duration, "conversation_duration": record.conversation_duration,
        "voicemail": record.voicemail.to_dict() if record.voicemail else None,
        "callback": record.callback.to_dict() if record.callback else None,
        "closed_reason": record.closed_reason or "",
        "last_event_at": max(filter(None, [call.last_event_at, last_event_at])),
        "emit_due_at": emit_due_at,
    }


def _save(updates: dict[tuple, list], call: Call, values: dict) -> None:
    """Queue the call's changed columns in ``updates`` (columns -> rows) and set them on it."""
    changed = {name: value for name, value in values.items() if getattr(call, name) != value}
    if changed:
        updates.setdefault(tuple(changed), []).append((*changed.values(), call.id))
        for name, value in changed.items():
            setattr(call, name, value)


_USER = ("account", "pbx", "call", "call_start_at", "position", "user", "rang_at", "answered_at", "ended_at",
         "status", "via_queue", "via_ring_group", "transfer", "forwarded_from")
_QUEUE = ("account", "pbx", "call", "call_start_at", "position", "queue", "qcid", "status", "outcome", "agent",
          "entered_at", "left_at")
_GROUP = ("account", "pbx", "call", "call_start_at", "position", "ring_group", "status", "agent")
_RECORDING = ("call", "user", "file", "recorded_at")
_TABLES = ((UserLeg, _USER), (QueueLeg, _QUEUE), (RingGroupLeg, _GROUP), (Recording, _RECORDING))


def _legs(call: Call, record: CallRecord) -> tuple[list, list, list, list]:
    """The call's leg and recording rows as tuples in _TABLES' column order."""
    common = (call.account_id, call.pbx_id, call.id, record.call_start_at)
    users = [(*common, i, u.user, u.rang_at, u.answered_at, u.ended_at, u.status, u.via_queue or "", u.via_ring_group or "",
              u.transfer or "", u.forwarded_from or "") for i, u in enumerate(record.users)]
    queues = [(*common, i, q.queue, q.qcid, q.status, q.outcome or "", q.agent or "", q.entered_at, q.left_at)
              for i, q in enumerate(record.queues)]
    groups = [(*common, i, r.ring_group, r.status, r.agent or "") for i, r in enumerate(record.ring_groups)]
    recordings = [(call.id, r.user, r.file, r.at) for r in record.recordings]
    return users, queues, groups, recordings


_PART = 16  # hex digits of legs_digest per table (four tables fill its 64)
_PARTS = tuple(slice(index * _PART, (index + 1) * _PART) for index in range(len(_TABLES)))


def _digest(legs: tuple[list, ...]) -> str:
    """legs_digest for _legs()' rows: a fingerprint per table, so each table is compared on its
    own. repr() of these tuples (ints, strings, None, datetimes) is the same in every process."""
    return "".join(blake2b(repr(rows).encode(), digest_size=_PART // 2).hexdigest() for rows in legs)


def calls_store(assembled: list[tuple[Call, CallRecord, object, object]], *, new_call_ids=frozenset()) -> None:
    """Save (call, record, last_event_at, emit_due_at) tuples: call fields updated, and for each kind of
    leg, a call's legs replaced only where they changed. ``new_call_ids``: calls created in
    this transaction, which have no legs stored yet."""
    if not assembled:
        return
    # A plain UPDATE per changed call (not bulk_update's CASE per column), one executemany
    # per set of changed columns.
    updates: dict[tuple, list] = {}
    # What each table held is known from the digest the call row already carries, so a
    # call's legs are not read back: a table is rewritten when its part of the digest changed.
    rewrites: tuple[list, ...] = tuple([] for _ in _TABLES)  # per table: (call id, its rows)
    for call, record, last_event_at, emit_due_at in assembled:
        legs, before = _legs(call, record), call.legs_digest
        values = _values(call, record, last_event_at, emit_due_at)
        values["legs_digest"] = after = _digest(legs)
        _save(updates, call, values)
        for part, rows, changed in zip(_PARTS, legs, rewrites):
            if after[part] != before[part]:
                changed.append((call.id, rows))
    rows_update(Call, updates)
    for (model, columns), changed in zip(_TABLES, rewrites):
        # A plain DELETE: the ORM's delete() collects the rows first to look for cascades.
        delete_in(model._meta.db_table, model._meta.get_field("call").column,
                  [pk for pk, _ in changed if pk not in new_call_ids])
        rows_insert(model, columns, [leg for _, rows in changed for leg in rows])
