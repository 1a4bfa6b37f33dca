"""derive_events: the catalogue events a call has produced so far.

Deterministic in (call, set of events): the caller stores each event's ``key`` and inserts
only keys it has not stored, so re-deriving after every batch is idempotent. To honour
"a late ringing never fires after the call completed", the caller passes
``ended_before=True`` when the call it had stored BEFORE this batch was already ended; live
triggers (see catalogue_event.LIVE_TRIGGERS) are then left out, summaries still come.
"""
from __future__ import annotations

from collections.abc import Iterable

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .assemble import normalise
from .catalogue_event import CatalogueEvent, in_catalogue_order
from .derive_cloud import inbound_user_events, media_events, outbound_user_events, summary_events
from .derive_seed import agent_status_event, call_direct_events, seed_queue_events
from .names import collect_names
from .record import CallRecord


def derive_events(
    call: CallRecord, events: Iterable[PbxEvent], *, call_key: str | None = None,
    ended_before: bool = False, normalised: bool = False,
) -> list[CatalogueEvent]:
    """All catalogue events of ``call`` (assembled from ``events``), in delivery order.

    ``call_key`` prefixes every event key; it defaults to the call's unique_call_id, which
    can still move while the call's CallFlow start line is unknown, so a caller that
    derives before that should pass its own stable id for the call. ``normalised``: the
    events are the list assemble_normalised() assembled ``call`` from, already in order.
    """
    ordered = events if normalised else normalise(events, call.call_start_at.tzinfo)
    key = call_key or call.unique_call_id
    names = collect_names(ordered)
    derived = [
        *outbound_user_events(call, names, key),
        *inbound_user_events(call, names, ordered, key),
        *summary_events(call, names, key),
        *media_events(call, names, key),
        *seed_queue_events(call, ordered, key),
        *call_direct_events(call, key),
    ]
    if ended_before:
        derived = [e for e in derived if not e.live]
    return in_catalogue_order(derived)


def derive_standalone_events(events: Iterable[PbxEvent], *, tz) -> list[CatalogueEvent]:
    """Catalogue events that belong to no call (agent status changes)."""
    ordered = normalise(events, tz)
    return in_catalogue_order(agent_status_event(e) for e in ordered if e.kind == Kind.AGENT_STATUS)
