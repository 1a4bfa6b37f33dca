"""derive_events: the catalogue events a call has produced so far.

Deterministic in (call, set of events): the caller stores each event's ``key`` and inserts
only keys it has not stored, so re-deriving after every batch is idempotent. Which events go
out when, and from which of the call's events, is emission.py's business: every fact goes
out once, whatever order its lines were read in (a line read after its call's end is no
reason to drop the fact it reports).
"""
from __future__ import annotations

from collections.abc import Iterable

from hub.vocabulary.pbx_event import Kind, PbxEvent

from .assemble import normalise
from .catalogue_event import CatalogueEvent, in_catalogue_order
from .derive_cloud import inbound_user_events, media_events, outbound_user_events, summary_events
from .derive_seed import SEED_TRIGGERS, agent_status_event, call_direct_events, seed_queue_events
from .names import collect_names
from .record import CallRecord


# Each group of triggers and what derives it (call, names, ordered events, call key).
FAMILIES = (
    (frozenset({"user_outbound", "user_outbound_answered", "user_outbound_completed"}),
     lambda call, names, ordered, key: outbound_user_events(call, names, key)),
    (frozenset({"user_inbound", "user_inbound_answered", "user_inbound_completed"}), inbound_user_events),
    (frozenset({"queue_call", "ring_group_call"}), lambda call, names, ordered, key: summary_events(call, names, key)),
    (frozenset({"voicemail", "recording_inbound", "recording_outbound"}),
     lambda call, names, ordered, key: media_events(call, names, key)),
    (frozenset(SEED_TRIGGERS), lambda call, names, ordered, key: seed_queue_events(call, ordered, key)),
    (frozenset({"call_direct"}), lambda call, names, ordered, key: call_direct_events(call, key)),
)
_NAMELESS = frozenset(SEED_TRIGGERS) | {"call_direct"}


def family_of(trigger: str) -> frozenset[str]:
    """The triggers derive_events works out together with ``trigger``."""
    return next((family for family, _ in FAMILIES if trigger in family), frozenset({trigger}))


def derive_events(
    call: CallRecord, events: Iterable[PbxEvent], *, call_key: str | None = None,
    normalised: bool = False, triggers: frozenset[str] | None = None,
) -> list[CatalogueEvent]:
    """All catalogue events of ``call`` (assembled from ``events``), in delivery order.

    ``call_key`` prefixes every event key; it defaults to the call's unique_call_id, which
    can still move while the call's CallFlow start line is unknown, so a caller that
    derives before that should pass its own stable id for the call. ``normalised``: the
    events are the list assemble_normalised() assembled ``call`` from, already in order.
    ``triggers``: only the families (FAMILIES) that derive one of these are worked out.
    """
    ordered = events if normalised else normalise(events, call.call_start_at.tzinfo)
    key = call_key or call.unique_call_id
    families = [build for family, build in FAMILIES if triggers is None or family & triggers]
    names = collect_names(ordered) if triggers is None or triggers - _NAMELESS else None
    return in_catalogue_order(event for build in families for event in build(call, names, ordered, key))


def derive_standalone_events(events: Iterable[PbxEvent], *, tz) -> list[CatalogueEvent]:
    """Catalogue events that belong to no call (agent status changes)."""
    ordered = normalise(events, tz)
    return in_catalogue_order(agent_status_event(e) for e in ordered if e.kind == Kind.AGENT_STATUS)
