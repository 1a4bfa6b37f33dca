"""Write assembled CallRecords to their Call rows and legs, a whole batch at a time."""
from __future__ import annotations

import logging
from hashlib import blake2b

from celery import current_app
from django.db import transaction

from hub.assembly import CallRecord
from hub.models import (Call, CallState, QueueLeg, Recording, RecordingKind, RecordingSource, RecordingState,
                        RingGroupLeg, UserLeg)
from hub.services.ingest.fast_insert import rows_insert, rows_update
from hub.services.ingest.sql_in import delete_in
from hub.vocabulary.recordings import voicemail_file_name

logger = logging.getLogger(__name__)


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
_RECORDING = ("call", "user", "file", "recorded_at", "kind", "source")
_TABLES = ((UserLeg, _USER), (QueueLeg, _QUEUE), (RingGroupLeg, _GROUP), (Recording, _RECORDING))


def _legs(call: Call, record: CallRecord) -> tuple[list, list, list, list]:
    """The call's leg and recording rows as tuples in _TABLES' column order."""
    common = (call.account_id, call.pbx_id, call.id, record.call_start_at)
    users = [(*common, i, u.user, u.rang_at, u.answered_at, u.ended_at, u.status, u.via_queue or "", u.via_ring_group or "",
              u.transfer or "", u.forwarded_from or "") for i, u in enumerate(record.users)]
    queues = [(*common, i, q.queue, q.qcid, q.status, q.outcome or "", q.agent or "", q.entered_at, q.left_at)
              for i, q in enumerate(record.queues)]
    groups = [(*common, i, r.ring_group, r.status, r.agent or "") for i, r in enumerate(record.ring_groups)]
    recordings = [(call.id, r.user, r.file, r.at, RecordingKind.CALL_RECORDING, _source(r.file))
                  for r in record.recordings]
    if record.voicemail is not None:
        vm = record.voicemail
        recordings.append((call.id, vm.user, voicemail_file_name(record.unique_call_id, vm.user), vm.at,
                           RecordingKind.VOICEMAIL, RecordingSource.FOLDER))
    return users, queues, groups, recordings


def _source(file: str) -> str:
    return RecordingSource.URL if file.startswith(("https://", "http://")) else RecordingSource.FOLDER


def _recordings_sync(changed: list[tuple[int, list]], new_call_ids) -> None:
    """Recording rows are not rewritten like legs: a row whose audio the hub has dealt with
    (stored, missing, failed, purged) is kept whatever the call's assembly says now, and a
    still-announced one keeps its id and announced_at (the wait for its audio counts from it).
    Rows the call no longer announces are deleted while still announced; new ones inserted."""
    old = [pk for pk, _ in changed if pk not in new_call_ids]
    have: dict[tuple, tuple] = {}
    for start in range(0, len(old), 500):
        for pk, call_id, kind, file, state, user, at in Recording.objects.filter(call_id__in=old[start:start + 500]) \
                .values_list("pk", "call_id", "kind", "file", "state", "user", "recorded_at"):
            have[(call_id, kind, file)] = (pk, state, user, at)
    wanted = {(row[0], row[4], row[2]): row for _, rows in changed for row in rows}
    gone = [pk for key, (pk, state, *_) in have.items() if key not in wanted and state == RecordingState.ANNOUNCED]
    Recording.objects.filter(pk__in=gone).delete()
    for key, row in wanted.items():
        # The call's end may move a recording's time (it is complete when the call ends).
        if key in have and have[key][2:] != (row[1], row[3]):
            Recording.objects.filter(pk=have[key][0]).update(user=row[1], recorded_at=row[3])
    new = [row for key, row in wanted.items() if key not in have]
    rows_insert(Recording, _RECORDING, new)
    if any(row[5] == RecordingSource.URL for row in new):
        transaction.on_commit(_fetch_soon, robust=True)


def _fetch_soon() -> None:
    """Links to fetch: the worker's collect task takes them now rather than at its next beat."""
    from hub.services.delivery.enqueue import RETRY_POLICY

    try:
        current_app.send_task("hub.recordings_collect", retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker is down: beat's run fetches them
        logger.warning("could not publish recordings_collect; beat will", exc_info=True)


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
        if model is Recording:
            _recordings_sync(changed, new_call_ids)
            continue
        # A plain DELETE: the ORM's delete() collects the rows first to look for cascades.
        delete_in(model._meta.db_table, model._meta.get_field("call").column,
                  [pk for pk, _ in changed if pk not in new_call_ids])
        rows_insert(model, columns, [leg for _, rows in changed for leg in rows])
