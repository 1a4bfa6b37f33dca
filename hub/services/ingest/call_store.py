"""Write assembled CallRecords to their Call rows and legs, a whole batch at a time."""
from __future__ import annotations

from hub.assembly import CallRecord
from hub.models import Call, CallState, QueueLeg, Recording, RingGroupLeg, UserLeg
from hub.services.ingest.fast_insert import rows_insert, rows_update
from hub.services.ingest.sql_in import delete_in

_CHUNK = 500  # calls per IN (…): SQLite limits bound parameters


def _values(call: Call, record: CallRecord, last_event_at) -> dict:
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
    }


def _save(updates: dict[tuple, list], call: Call, values: dict) -> None:
    """Queue the call's changed columns in ``updates`` (columns -> rows) and set them on it."""
    changed = {name: value for name, value in values.items() if getattr(call, name) != value}
    if changed:
        updates.setdefault(tuple(changed), []).append((*changed.values(), call.pk))
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
    common = (call.account_id, call.pbx_id, call.pk, record.call_start_at)
    users = [(*common, i, u.user, u.rang_at, u.answered_at, u.ended_at, u.status, u.via_queue or "", u.via_ring_group or "",
              u.transfer or "", u.forwarded_from or "") for i, u in enumerate(record.users)]
    queues = [(*common, i, q.queue, q.qcid, q.status, q.outcome or "", q.agent or "", q.entered_at, q.left_at)
              for i, q in enumerate(record.queues)]
    groups = [(*common, i, r.ring_group, r.status, r.agent or "") for i, r in enumerate(record.ring_groups)]
    recordings = [(call.pk, r.user, r.file, r.at) for r in record.recordings]
    return users, queues, groups, recordings


def _stored_legs(model, columns: tuple[str, ...], call_ids: list[int]) -> dict[int, list[tuple]]:
    """The legs stored for these calls, as _legs() builds them, by call."""
    stored: dict[int, list[tuple]] = {}
    order = ("call", "position") if "position" in columns else ("call", "id")
    for start in range(0, len(call_ids), _CHUNK):
        chunk = call_ids[start:start + _CHUNK]
        for row in model.objects.filter(call_id__in=chunk).order_by(*order).values_list(*columns):
            stored.setdefault(row[columns.index("call")], []).append(row)
    return stored


def calls_store(assembled: list[tuple[Call, CallRecord, object]], *, new_call_ids=frozenset()) -> None:
    """Save (call, record, last_event_at) triples: call fields updated, and for each kind of
    leg, a call's legs replaced only where they changed. ``new_call_ids``: calls created in
    this transaction, which have no legs stored yet."""
    if not assembled:
        return
    # A plain UPDATE per changed call (not bulk_update's CASE per column), one executemany
    # per set of changed columns.
    updates: dict[tuple, list] = {}
    for call, record, last_event_at in assembled:
        _save(updates, call, _values(call, record, last_event_at))
    for columns, rows in updates.items():
        rows_update(Call, columns, rows)
    legs = {call.pk: _legs(call, record) for call, record, _ in assembled}
    older = [pk for pk in legs if pk not in new_call_ids]
    for index, (model, columns) in enumerate(_TABLES):
        stored = _stored_legs(model, columns, older) if older else {}
        changed = [pk for pk in older if stored.get(pk, []) != legs[pk][index]]
        # A plain DELETE: the ORM's delete() collects the rows first to look for cascades.
        delete_in(model._meta.db_table, model._meta.get_field("call").column, changed)
        rewrite = [*changed, *(pk for pk in legs if pk in new_call_ids)]
        rows_insert(model, columns, [leg for pk in rewrite for leg in legs[pk][index]])
