"""Write assembled CallRecords to their Call rows and legs, a whole batch at a time."""
from __future__ import annotations

from hub.assembly import CallRecord
from hub.models import Call, CallState, QueueLeg, Recording, RingGroupLeg, UserLeg



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


def _save(call: Call, values: dict) -> None:
    """One plain UPDATE per changed call: far cheaper than bulk_update's CASE per column."""
    changed = {name: value for name, value in values.items() if getattr(call, name) != value}
    if changed:
        Call.objects.filter(pk=call.pk).update(**changed)
        for name, value in changed.items():
            setattr(call, name, value)


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
        _save(call, _values(call, record, last_event_at))
    for model in (UserLeg, QueueLeg, RingGroupLeg, Recording):
        model.objects.filter(call__in=calls).delete()
    rows = [_legs(call, record) for call, record, _ in assembled]
    for index, model in enumerate((UserLeg, QueueLeg, RingGroupLeg, Recording)):
        model.objects.bulk_create([leg for legs in rows for leg in legs[index]], batch_size=1000)
