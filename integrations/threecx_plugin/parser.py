"""Requests of the "3CX Webhook" plugin (formats.md §4) to ``PbxEvent``s."""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source
from integrations.push_errors import PushError

from .call_id import CallId, call_id_from_recording, parse_call_id
from .events import Draft, drafts_for
from .request import PluginRequest, read_request


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


def _event(request: PluginRequest, call: CallId, draft: Draft, received_at: datetime) -> PbxEvent:
    # Only the call id carries a time (the call's arrival), so other events take the arrival
    # time of the request; the dedupe key leaves that time out so a re-sent request matches.
    if draft.call_start:
        occurred_at, key = call.started_at, f"{call.unique}:{draft.kind}"
    else:
        occurred_at = received_at
        key = f"{call.full}:{draft.kind}:{_digest(draft.kind, request.fields)}"
    return PbxEvent(
        source=Source.PLUGIN,
        kind=draft.kind,
        occurred_at=occurred_at,
        pbx_call_id=call.number,
        dedupe_key=key,
        # An empty plugin field means "not known", which the vocabulary spells as an absent key.
        data={**{k: v for k, v in draft.data.items() if v != ""}, **_call_data(call, request)},
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
        data = {"file": url, **_call_data(call, request)}
        if request.fields.get("user"):
            data["user"] = request.fields["user"]
        key = f"{call.full}:{Kind.RECORDING_SAVED}:{_digest(url)}"
        event = PbxEvent(
            Source.PLUGIN, Kind.RECORDING_SAVED, received_at, call.number, key, data, request.raw
        )
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
    dates every event except the call's start.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    request = read_request(method=method, query=query, body=body, content_type=content_type)
    if request.files is not None:
        return _recording_events(request, tz, received_at)
    drafts = drafts_for(request.fields)  # checks the event name before the id
    if not request.fields.get("id"):
        raise PushError("id", "missing call id")
    call = parse_call_id(request.fields["id"], tz=tz)
    return [_event(request, call, draft, received_at) for draft in drafts]
