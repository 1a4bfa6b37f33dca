"""How each QueueManager event kind advances a Draft (one small handler per kind)."""
from __future__ import annotations

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .callflow_rules import Handler, mark_answered
from .draft import Draft, earliest, ext, name


def _leg(draft: Draft, event: PbxEvent):
    return draft.queue_leg(str(event.data.get("qcid") or ""), ext(event.data.get("queue")))


def on_received(draft: Draft, event: PbxEvent) -> None:
    leg = _leg(draft, event)
    leg.received_at = earliest(leg.received_at, event.occurred_at)
    leg.caller_number = leg.caller_number or str(event.data.get("caller_number") or "")
    leg.caller_name = leg.caller_name or name(event.data.get("caller_name"))
    leg.agents_from_answers = leg.agents_from_answers or bool(event.data.get("agents_from_answers"))


def on_agent_ringing(draft: Draft, event: PbxEvent) -> None:
    if draft.is_over_at(event.occurred_at):
        return
    leg = _leg(draft, event)
    user = draft.user_leg(ext(event.data.get("agent")), ("queue", leg.queue))
    user.rang_at = earliest(user.rang_at, event.occurred_at)


def _is_callback(draft: Draft, event: PbxEvent) -> bool:
    """A line on a callback's own QCID (known from its earlier ``dialling`` line)."""
    return str(event.data.get("qcid") or "") in draft.callback_agents


def on_agent_answered(draft: Draft, event: PbxEvent) -> None:
    callback = _is_callback(draft, event)
    if draft.is_over_at(event.occurred_at) and not callback:
        return
    leg, agent = _leg(draft, event), ext(event.data.get("agent"))
    if leg.answered_at is None or event.occurred_at < leg.answered_at:
        leg.agent, leg.answered_at = agent, event.occurred_at
    if not callback:  # reaching the caller back is not a conversation on this call
        mark_answered(draft, agent, event.occurred_at, ("queue", leg.queue))


def on_leg_terminated(draft: Draft, event: PbxEvent) -> None:
    leg = _leg(draft, event)
    if leg.left_at is None or event.occurred_at < leg.left_at:
        leg.left_at, leg.outcome = event.occurred_at, str(event.data.get("reason") or "")


def on_callback_requested(draft: Draft, event: PbxEvent) -> None:
    # A request never overrides a callback that is already under way.
    if draft.callback is None:
        draft.callback = {"qcid": None, "status": "requested", "agent": ""}


def on_callback_initiated(draft: Draft, event: PbxEvent) -> None:
    d = event.data
    qcid, agent = str(d.get("qcid") or ""), ext(d.get("agent"))
    draft.callback_agents[qcid] = (agent, str(d.get("number") or ""))
    draft.callback = {"qcid": qcid, "status": "initiated", "agent": agent}


def on_callback_failed(draft: Draft, event: PbxEvent) -> None:
    qcid = str(event.data.get("qcid") or "")
    agent = draft.callback_agents.get(qcid, ("", ""))[0]
    draft.callback = {"qcid": qcid, "status": "failed", "reason": str(event.data.get("reason") or ""),
                      "agent": agent}


def _ignore(draft: Draft, event: PbxEvent) -> None:
    """Kinds that feed catalogue events but change nothing in the call record."""


QUEUE_HANDLERS: dict[Kind, Handler] = {
    Kind.QUEUE_CALL_RECEIVED: on_received,
    Kind.QUEUE_AGENT_RINGING: on_agent_ringing,
    Kind.QUEUE_CALL_ANSWERED: on_agent_answered,
    Kind.QUEUE_CALL_TERMINATED: on_leg_terminated,
    Kind.QUEUE_CALL_TRANSFERRED: _ignore,
    Kind.QUEUE_CALLBACK_REQUESTED: on_callback_requested,
    Kind.QUEUE_CALLBACK_INITIATED: on_callback_initiated,
    Kind.QUEUE_CALLBACK_FAILED: on_callback_failed,
    Kind.QUEUE_DTMF: _ignore,
    Kind.AGENT_STATUS: _ignore,
}
