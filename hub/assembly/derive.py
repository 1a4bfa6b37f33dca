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

from .assemble import Prefix, normalise
from .catalogue_event import CatalogueEvent, in_catalogue_order
from .derive_cloud import inbound_user_events, media_events, outbound_user_events, summary_events
from .derive_routing import routed_events
from .derive_seed import SEED_TRIGGERS, agent_status_event, call_direct_events, seed_queue_events
from .record import CallRecord


# Each group of triggers and what derives it (a Prefix of the call, the call key).
FAMILIES = (
    (frozenset({"user_outbound", "user_outbound_answered", "user_outbound_completed"}),
     lambda p, key: outbound_user_events(p.record, p.names, key)),
    (frozenset({"user_inbound", "user_inbound_answered", "user_inbound_completed"}),
     lambda p, key: inbound_user_events(p.record, p.names, p.events, key)),
    (frozenset({"call_routed"}), lambda p, key: routed_events(p.record, p.names, p.events, key)),
    (frozenset({"queue_call", "ring_group_call"}), lambda p, key: summary_events(p.record, p.names, key)),
    (frozenset({"voicemail", "recording_inbound", "recording_outbound"}),
     lambda p, key: media_events(p.record, p.names, key)),
    # Seed events read the call's caller facts only, not its whole record (Prefix.facts).
    (frozenset(SEED_TRIGGERS), lambda p, key: seed_queue_events(p.facts, p.events, key, since=p.since)),
    (frozenset({"call_direct"}), lambda p, key: call_direct_events(p.record, key)),
)


_FAMILY_OF = {trigger: family for family, _ in FAMILIES for trigger in family}


def family_of(trigger: str) -> frozenset[str]:
    """The triggers derive_events works out together with ``trigger``."""
    return _FAMILY_OF.get(trigger) or frozenset({trigger})


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
    return in_catalogue_order(derive_prefix(Prefix(ordered, call), call_key=call_key or call.unique_call_id,
                                            triggers=triggers))


def derive_prefix(prefix: Prefix, *, call_key: str, triggers: frozenset[str] | None = None) -> list[CatalogueEvent]:
    """derive_events of a call as of ``prefix`` (the parts of it a family reads are made as
    it reads them), in no particular order."""
    return [event for family, build in FAMILIES if triggers is None or family & triggers
            for event in build(prefix, call_key)]


def derive_standalone_events(events: Iterable[PbxEvent], *, tz) -> list[CatalogueEvent]:
    """Catalogue events that belong to no call (agent status changes)."""
    ordered = normalise(events, tz)
    return in_catalogue_order(agent_status_event(e) for e in ordered if e.kind == Kind.AGENT_STATUS)
