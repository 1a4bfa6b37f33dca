"""How each CallFlow event kind advances a Draft (one small handler per kind)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

from .draft import DIRECT, Context, Draft, Start, earliest, ext, name

Handler = Callable[[Draft, PbxEvent], None]


def _set_start(draft: Draft, start: Start) -> None:
    # The first start line wins; a second one for the same number is a new call (see linking).
    if draft.start is None or start.at < draft.start.at:
        draft.start = start


def on_incoming(draft: Draft, event: PbxEvent) -> None:
    d = event.data
    did = str(d.get("did") or "")
    _set_start(draft, Start(event.occurred_at, "inbound", str(d.get("caller_number") or ""),
                            name(d.get("caller_name")), did, did, name(d.get("trunk_name"))))


def on_outgoing(draft: Draft, event: PbxEvent) -> None:
    d = event.data
    draft.originator = ext(d.get("user"))
    _set_start(draft, Start(event.occurred_at, "outbound", draft.originator, name(d.get("user_name")),
                            str(d.get("dest_number") or ""), "", name(d.get("trunk_name"))))


def on_internal(draft: Draft, event: PbxEvent) -> None:
    d = event.data
    draft.originator = ext(d.get("user"))
    _set_start(draft, Start(event.occurred_at, "internal", draft.originator, name(d.get("user_name")),
                            ext(d.get("dest_user"))))
    draft.context = DIRECT
    _reach(draft, ext(d.get("dest_user")), event.occurred_at)


def _reach(draft: Draft, user: str, at: datetime) -> None:
    """A call put through to one user reaches them when it is routed, a moment before the ring."""
    leg = draft.user_leg(user, DIRECT)
    leg.rang_at = earliest(leg.rang_at, at)


def _context_for(target_type: str, target: str) -> Context:
    return {"queue": ("queue", target), "ring_group": ("ring_group", target),
            "voicemail": ("voicemail",), "ivr": ("ivr",)}.get(target_type, DIRECT)


def on_routed(draft: Draft, event: PbxEvent) -> None:
    target_type, target = str(event.data.get("target_type") or ""), ext(event.data.get("target"))
    draft.context = _context_for(target_type, target)
    if target_type == "queue":
        draft.queue_routings.append((event.occurred_at, target))
    elif target_type == "other":
        draft.other_rings[target] = earliest(draft.other_rings.get(target), event.occurred_at)
    elif target_type == "ring_group" and target not in draft.ring_groups:
        draft.ring_groups.append(target)
    elif target_type == "user" and not draft.is_over_at(event.occurred_at):
        _reach(draft, target, event.occurred_at)


def on_ringing(draft: Draft, event: PbxEvent) -> None:
    user = ext(event.data.get("user"))
    if draft.is_over_at(event.occurred_at) or _is_queue(draft, user):
        return
    leg = draft.user_leg(user, draft.context)
    leg.rang_at = earliest(leg.rang_at, event.occurred_at)


def _is_queue(draft: Draft, number: str) -> bool:
    # A plugin's missed end names the queue where the call ended, which is no phone.
    return any(queue == number for _, queue in draft.queue_routings)


def mark_answered(draft: Draft, user: str, at: datetime, context: Context | None = None,
                  leg_at: datetime | None = None) -> None:
    """``leg_at``: when the answer was reported, which picks the leg (default ``at``)."""
    leg = draft.user_leg(user, context) if context else draft.latest_leg_of(user, leg_at or at)
    if leg is None:
        leg = draft.user_leg(user, draft.context)
    leg.answered_at = earliest(leg.answered_at, at)
    draft.connected_at = earliest(draft.connected_at, at)


def on_answered(draft: Draft, event: PbxEvent) -> None:
    if draft.is_over_at(event.occurred_at):
        return
    user = ext(event.data.get("user"))
    # An end that reports the talk time (the plugin's) tells of an answer that long before it.
    at = event.occurred_at - timedelta(seconds=int(event.data.get("talk_seconds") or 0))
    if user:
        mark_answered(draft, user, at, leg_at=event.occurred_at)
    else:  # the remote party of an outbound call picked up
        draft.connected_at = earliest(draft.connected_at, at)


def on_forwarded(draft: Draft, event: PbxEvent) -> None:
    target_type = str(event.data.get("target_type") or "")
    from_user = ext(event.data.get("from_user"))
    is_user = target_type in ("user", "")
    target = ext(event.data.get("target"))
    draft.context = ("forward", from_user) if is_user else _context_for(target_type, target)


def on_transferred(draft: Draft, event: PbxEvent) -> None:
    d = event.data
    by_user = ext(d.get("by_user"))
    if by_user:  # ends that user's part of the call (finish.py: UserLeg.ended_at)
        draft.handoffs.append((event.occurred_at, by_user))
    draft.transfers += 1
    kind = str(d.get("transfer_type") or "").capitalize()
    target_type, target = str(d.get("target_type") or "user"), ext(d.get("target"))
    context = ("transfer", str(draft.transfers), kind)
    draft.context = context if target_type == "user" else _context_for(target_type, target)
    if event.source == Source.PLUGIN and target_type == "user" and target:
        _file_ringing_under(draft, target, context)


def _file_ringing_under(draft: Draft, user: str, context: Context) -> None:
    """The plugin reports a transfer only with the pickup it led to (trtype), after the
    target's phone rang: that ringing was the transfer's, so its leg moves under it."""
    rang = [key for key, leg in draft.users.items()
            if leg.user == user and leg.answered_at is None and key[1][0] != "transfer"]
    if rang and (user, context) not in draft.users:
        latest = max(rang, key=lambda key: draft.users[key].rang_at or draft.first_at)
        leg = draft.users.pop(latest)
        leg.context = context
        draft.users[(user, context)] = leg


def on_voicemail(draft: Draft, event: PbxEvent) -> None:
    if draft.voicemail is None:
        d = event.data
        draft.voicemail = (ext(d.get("user")), int(d.get("duration") or 0), event.occurred_at)


def on_recording(draft: Draft, event: PbxEvent) -> None:
    announced = event.data.get("call_start_at")
    if announced:  # the plugin's recording names its call's start (a call heard of only by it)
        start = datetime.fromisoformat(announced).astimezone(event.occurred_at.tzinfo)
        draft.first_at = earliest(draft.first_at, start)
    file = str(event.data.get("file") or "")
    if file and file not in draft.recordings:
        draft.recordings[file] = (ext(event.data.get("user")), event.occurred_at)


def on_terminated(draft: Draft, event: PbxEvent) -> None:
    draft.ended_at = earliest(draft.ended_at, event.occurred_at)


CALLFLOW_HANDLERS: dict[Kind, Handler] = {
    Kind.CALL_INCOMING: on_incoming,
    Kind.CALL_OUTGOING: on_outgoing,
    Kind.CALL_INTERNAL: on_internal,
    Kind.CALL_ROUTED: on_routed,
    Kind.USER_RINGING: on_ringing,
    Kind.CALL_ANSWERED: on_answered,
    Kind.CALL_FORWARDED: on_forwarded,
    Kind.CALL_TRANSFERRED: on_transferred,
    Kind.VOICEMAIL_LEFT: on_voicemail,
    Kind.RECORDING_SAVED: on_recording,
    Kind.CALL_TERMINATED: on_terminated,
}
