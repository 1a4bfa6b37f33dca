"""Call assembly: from one call's PbxEvents to its call record and its catalogue events.

Pure functions of plain data (no Django, no I/O):

- ``group_calls(events)`` / ``call_key_for`` / ``qcid_links``: which call an event belongs to;
- ``assemble_call(events, tz=...)``: the CallRecord, a function of the SET of events;
- ``derive_events(call, events, ...)``: the catalogue events the call has produced so far;
- ``closes_idle_call`` / ``close_idle_call``: the "end never came" rule.
"""
from .assemble import assemble_call, normalise, sort_key
from .catalogue_event import LIVE_TRIGGERS, CatalogueEvent, in_catalogue_order
from .derive import derive_events, derive_standalone_events
from .idle import close_idle_call, closes_idle_call, last_activity
from .linking import QcidLink, build_qcid_map, call_key_for, group_calls, qcid_links, resolve_qcid
from .record import CallRecord, Callback, QueueLeg, Recording, RingGroupLeg, UserLeg, Voicemail

__all__ = [
    "LIVE_TRIGGERS", "CallRecord", "Callback", "CatalogueEvent", "QcidLink", "QueueLeg",
    "Recording", "RingGroupLeg", "UserLeg", "Voicemail", "assemble_call", "build_qcid_map",
    "call_key_for", "close_idle_call", "closes_idle_call", "derive_events",
    "derive_standalone_events", "group_calls", "in_catalogue_order", "last_activity",
    "normalise", "qcid_links", "resolve_qcid", "sort_key",
]
