"""Read calls back in the shape the hub publishes (expected_calls.json / the REST API)."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from hub.errors import NotFound
from hub.models import Account, Call, RecordingKind
from hub.vocabulary.timezones import parse_timezone


def call_list(*, account: Account) -> QuerySet[Call]:
    return Call.objects.filter(account=account).select_related("pbx")


def call_get(*, account: Account, unique_call_id: str) -> Call:
    # No stored id holds a NUL, and PostgreSQL refuses one even in a WHERE clause.
    if "\x00" in unique_call_id:
        raise NotFound(f"no call with unique_call_id {unique_call_id!r}")
    call = call_list(account=account).filter(unique_call_id=unique_call_id).prefetch_related(
        "user_legs", "queue_legs", "ring_group_legs", "recordings").first()
    if call is None:
        raise NotFound(f"no call with unique_call_id {unique_call_id!r}")
    return call


def _iso(at, tz):
    return None if at is None else at.astimezone(tz).replace(microsecond=0).isoformat()


def _user_leg(leg, tz) -> dict:
    out = {"user": leg.user, "rang_at": _iso(leg.rang_at, tz), "answered_at": _iso(leg.answered_at, tz), "status": leg.status}
    extras = {"via_queue": leg.via_queue, "via_ring_group": leg.via_ring_group,
              "transfer": leg.transfer, "forwarded_from": leg.forwarded_from}
    return out | {k: v for k, v in extras.items() if v}


def _queue_leg(leg, tz) -> dict:
    return {"queue": leg.queue, "qcid": leg.qcid, "status": leg.status, "outcome": leg.outcome or None,
            "agent": leg.agent, "entered_at": _iso(leg.entered_at, tz), "left_at": _iso(leg.left_at, tz)}


def call_as_dict(call: Call) -> dict:
    """The call with every leg; times in the PBX's zone, to the second."""
    tz = parse_timezone(call.pbx.timezone)
    out = {
        "unique_call_id": call.unique_call_id, "pbx_call_id": call.pbx_call_id or None,
        "direction": call.direction, "caller_number": call.caller_number, "caller_name": call.caller_name,
        "dest_number": call.dest_number, "did": call.did, "trunk": call.trunk,
        "call_start_at": _iso(call.call_start_at, tz), "connected_at": _iso(call.connected_at, tz),
        "ended_at": _iso(call.ended_at, tz), "call_duration": call.call_duration,
        "conversation_duration": call.conversation_duration,
        "users": [_user_leg(leg, tz) for leg in call.user_legs.all()],
        "queues": [_queue_leg(leg, tz) for leg in call.queue_legs.all()],
        "ring_groups": [{"ring_group": g.ring_group, "status": g.status, "agent": g.agent} for g in call.ring_group_legs.all()],
        "voicemail": call.voicemail,
        "recordings": [{"user": r.user, "file": r.file, "at": _iso(r.recorded_at, tz)} for r in call.recordings.all()
                       if r.kind == RecordingKind.CALL_RECORDING],
        "callback": call.callback,
    }
    return out | ({"closed_reason": call.closed_reason} if call.closed_reason else {})


def calls_with_legs(queryset: QuerySet[Call]) -> QuerySet[Call]:
    return queryset.select_related("pbx").prefetch_related(
        Prefetch("user_legs"), "queue_legs", "ring_group_legs", "recordings")


def recordings_as_list(call: Call) -> list[dict]:
    """The call's recordings and voicemail with their audio's state and a fresh signed link
    (empty unless stored): the REST API's view, read anew each time."""
    from hub.services.recordings.links import recording_link

    tz = parse_timezone(call.pbx.timezone)
    return [{"user": r.user, "file": r.file, "at": _iso(r.recorded_at, tz), "kind": r.kind, "id": r.pk,
             "name": r.original_name, "state": r.state, "state_reason": r.state_reason,
             "content_type": r.content_type, "size": r.size, "duration": r.duration, "checksum": r.checksum,
             "link": recording_link(r)} for r in call.recordings.all()]
