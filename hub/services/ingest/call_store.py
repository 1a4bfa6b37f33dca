"""Write assembled CallRecords to their Call rows and legs, a whole batch at a time."""
from __future__ import annotations

from hub.assembly import CallRecord
from hub.models import Call, CallState, QueueLeg, Recording, RingGroupLeg, UserLeg

CALL_FIELDS = [
    "unique_call_id", "direction", "state", "caller_number", "caller_name", "dest_number", "did",
    "trunk", "call_start_at", "connected_at", "ended_at", "call_duration", "conversation_duration",
    "voicemail", "callback", "closed_reason", "last_event_at",
]


def _apply(call: Call, record: CallRecord, last_event_at) -> None:
    call.unique_call_id = record.unique_call_id
    call.direction = record.direction
    call.state = (CallState.CLOSED_IDLE if record.closed_reason
                  else CallState.ENDED if record.ended else CallState.IN_PROGRESS)
    for name in ("caller_number", "caller_name", "dest_number", "did", "trunk"):
        setattr(call, name, getattr(record, name) or "")
    call.call_start_at, call.connected_at, call.ended_at = record.call_start_at, record.connected_at, record.ended_at
    call.call_duration = record.call_duration
    call.conversation_duration = record.conversation_duration
    call.voicemail = record.voicemail.to_dict() if record.voicemail else None
    call.callback = record.callback.to_dict() if record.callback else None
    call.closed_reason = record.closed_reason or ""
    call.last_event_at = max(call.last_event_at, last_event_at) if call.last_event_at else last_event_at


def _legs(call: Call, record: CallRecord) -> tuple[list, list, list, list]:
    common = {"account_id": call.account_id, "pbx_id": call.pbx_id, "call": call, "call_start_at": record.call_start_at}
    users = [UserLeg(**common, position=i, user=u.user, rang_at=u.rang_at, answered_at=u.answered_at,
                     status=u.status, via_queue=u.via_queue or "", via_ring_group=u.via_ring_group or "",
                     transfer=u.transfer or "", forwarded_from=u.forwarded_from or "")
             for i, u in enumerate(record.users)]
    queues = [QueueLeg(**common, position=i, queue=q.queue, qcid=q.qcid, status=q.status,
                       outcome=q.outcome or "", agent=q.agent or "", entered_at=q.entered_at, left_at=q.left_at)
              for i, q in enumerate(record.queues)]
    groups = [RingGroupLeg(**common, position=i, ring_group=r.ring_group, status=r.status, agent=r.agent or "")
              for i, r in enumerate(record.ring_groups)]
    recordings = [Recording(call=call, user=r.user, file=r.file, recorded_at=r.at) for r in record.recordings]
    return users, queues, groups, recordings


def calls_store(assembled: list[tuple[Call, CallRecord, object]]) -> None:
    """Save (call, record, last_event_at) triples: call fields updated, legs replaced."""
    if not assembled:
        return
    calls = [call for call, _, _ in assembled]
    for call, record, last_event_at in assembled:
        _apply(call, record, last_event_at)
    Call.objects.bulk_update(calls, CALL_FIELDS, batch_size=500)
    for model in (UserLeg, QueueLeg, RingGroupLeg, Recording):
        model.objects.filter(call__in=calls).delete()
    rows = [_legs(call, record) for call, record, _ in assembled]
    for index, model in enumerate((UserLeg, QueueLeg, RingGroupLeg, Recording)):
        model.objects.bulk_create([leg for legs in rows for leg in legs[index]], batch_size=1000)
