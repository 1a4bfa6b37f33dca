"""Requests of the "3CX Webhook" plugin (formats.md §4) to ``PbxEvent``s."""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source
from integrations.push_errors import PushError

from .call_id import CallId, call_id_from_recording, parse_call_id
from .events import Draft, check_choices, drafts_for, talk_time
from .request import PluginRequest, read_request

# A request received this long after its call reached the PBX (or well before it, by the
# hub's clock) was not sent as its event happened: a replay of stored requests, a queue
# drained late, or a PBX whose clock or zone is off. Its receive time says nothing of the
# call, so it is dated from what the PBX wrote: the call id's time and the title's talk time.
LIVE_REACH = timedelta(hours=12)
CLOCK_SLACK = timedelta(minutes=5)


def _digest(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        encoded = canonical.encode("utf-8")
    except UnicodeEncodeError:
        # JSON may carry lone surrogate escapes ("\ud800"): not text, so not a valid request.
        raise PushError("body", "contains an invalid unicode escape (a lone surrogate)") from None
    return hashlib.sha256(encoded).hexdigest()[:32]


def _call_data(call: CallId, request: PluginRequest) -> dict[str, Any]:
    return {
        "unique_call_id": call.unique,
        "plugin_call_id": call.full,
        "link": call.link,
        "plugin": copy.deepcopy(request.original),  # one copy per event: data is mutable
    }


# Replayed requests of one call mostly share one time (the call's arrival); these steps keep
# them in the order the plugin sends them: dialing, what rang (IVR, queue, phone), the pickup,
# the end, the recording.
_REPLAY_STEPS = {"dialing": 0, "ringing:other": 1, "ringing:queue": 2, "ringing": 3,
                 "hangupincoming": 4, "hangupoutgoing": 4, "incoming": 5, "outgoing": 5}
_STEP = timedelta(microseconds=10)


def _replay_step(fields: dict[str, str]) -> timedelta:
    event = fields.get("event", "").strip().lower()
    usertype = fields.get("usertype", "").strip().lower()
    step = _REPLAY_STEPS.get(f"{event}:{usertype}", _REPLAY_STEPS.get(event, 6))
    return step * _STEP


def request_moment(request: PluginRequest, call: CallId, received_at: datetime) -> datetime:
    """When the request's event happened: its receive time for a request sent live, else
    (LIVE_REACH) the call's arrival plus the talk time an end's title quotes."""
    if call.started_at - CLOCK_SLACK <= received_at <= call.started_at + LIVE_REACH:
        return max(received_at, call.started_at)  # a PBX clock a little ahead: not before the call
    talked = talk_time(request.fields.get("title", "")) or timedelta(0)
    return call.started_at + talked + _replay_step(request.fields)


def _qcid(call: CallId, draft: Draft) -> dict[str, Any]:
    # The plugin has no QCID: one per call and queue, so a queue re-entered is one leg.
    if draft.kind is Kind.QUEUE_CALL_RECEIVED:
        return {"qcid": f"{call.unique}@{draft.data['queue']}"}
    return {}


def _event(request: PluginRequest, call: CallId, draft: Draft, moment: datetime) -> PbxEvent:
    # The dedupe key leaves the time out, so a re-sent request matches the first one.
    if draft.call_start:
        occurred_at, key = call.started_at, f"{call.unique}:{draft.kind}"
    else:
        occurred_at = moment - draft.before
        key = f"{call.full}:{draft.kind}:{_digest(draft.kind, request.fields)}"
    data = {**{k: v for k, v in draft.data.items() if v != ""}, **_qcid(call, draft)}
    return PbxEvent(
        source=Source.PLUGIN,
        kind=draft.kind,
        occurred_at=occurred_at,
        pbx_call_id=call.number,
        dedupe_key=key,
        # An empty plugin field means "not known", which the vocabulary spells as an absent key.
        data={**data, **_call_data(call, request)},
        raw=request.raw,
    )


def _recording_events(request: PluginRequest, tz: tzinfo, received_at: datetime) -> list[PbxEvent]:
    events = []
    for url in request.files or []:
        # Without RECORDING_FULL_INFO the request is just {"FILES": [...]}: the name says the call.
        call_id = request.fields.get("id") or call_id_from_recording(url)
        if not call_id:
            raise PushError("id", f"recording {url!r} names no call id, and the request has no id")
        call = parse_call_id(call_id, tz=tz)
        # call_start_at: a recording may be all the hub hears of its call (its other
        # requests lost); the call is still dated and named by its id (assembly/callflow_rules).
        data = {"file": url, "call_start_at": call.started_at.isoformat(), **_call_data(call, request)}
        if request.fields.get("user"):
            data["user"] = request.fields["user"]
        key = f"{call.full}:{Kind.RECORDING_SAVED}:{_digest(url)}"
        at = request_moment(request, call, received_at)
        event = PbxEvent(Source.PLUGIN, Kind.RECORDING_SAVED, at, call.number, key, data, request.raw)
        events.append(event)
    return events


def parse_plugin_request(
    *,
    method: str,
    query: Mapping[str, str],
    body: bytes | None,
    content_type: str | None,
    tz: tzinfo,
    received_at: datetime,
) -> list[PbxEvent]:
    """All events one plugin request stands for; PushError names the field that is wrong.

    ``tz`` is the PBX's zone (the call id's date is PBX local time); ``received_at`` (aware)
    dates every event except the call's start, for a request sent live (request_moment).
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    request = read_request(method=method, query=query, body=body, content_type=content_type)
    check_choices(request.fields)
    if request.files is not None:
        return _recording_events(request, tz, received_at)
    drafts = drafts_for(request.fields)  # checks the event name before the id
    if not request.fields.get("id"):
        raise PushError("id", "missing call id")
    call = parse_call_id(request.fields["id"], tz=tz)
    moment = request_moment(request, call, received_at)
    return [_event(request, call, draft, moment) for draft in drafts]
