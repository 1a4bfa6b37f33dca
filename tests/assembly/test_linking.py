"""Grouping events into calls: Call(C:N), QCID links, recycled call numbers."""
from __future__ import annotations

import random

from hub.assembly import QcidLink, assemble_call, build_qcid_map, call_key_for, group_calls, qcid_links
from hub.vocabulary.pbx_event import Kind

from .builders import TZ, ev, incoming, q, q_received, queue_call, terminated


def test_call_received_links_its_qcid_to_the_call():
    assert qcid_links(q_received(1, "435", "822", "2603")) == [QcidLink("2603", pbx_call_id="435")]


def test_queue_transfer_and_callback_link_the_new_qcid_to_the_old_one():
    moved = q(Kind.QUEUE_CALL_TRANSFERRED, 2, "822", "2603", to_queue="823", to_qcid="2654")
    callback = q(Kind.QUEUE_CALLBACK_INITIATED, 3, "822", "2610", for_qcid="2603", number="1", agent="1")
    assert qcid_links(moved) == [QcidLink("2654", parent_qcid="2603")]
    assert qcid_links(callback) == [QcidLink("2610", parent_qcid="2603")]
    assert qcid_links(ev(Kind.USER_RINGING, 1, "435", user="1")) == []


def test_a_qcid_only_event_finds_its_call_through_a_chain_of_links():
    links = [q_received(1, "435", "822", "2603"),
             q(Kind.QUEUE_CALLBACK_INITIATED, 3, "822", "2610", for_qcid="2603", number="1", agent="1")]
    failed = q(Kind.QUEUE_CALLBACK_FAILED, 4, "822", "2610", reason="Busy")
    assert call_key_for(failed, build_qcid_map(links)) == "435"
    assert call_key_for(failed, {}) is None


def test_link_cycles_resolve_to_nothing():
    cyclic = {"1": QcidLink("1", parent_qcid="2"), "2": QcidLink("2", parent_qcid="1")}
    assert call_key_for(q(Kind.QUEUE_DTMF, 1, "822", "1", digit="1"), cyclic) is None


def test_events_in_any_order_group_into_their_calls():
    events = [*queue_call("435"), *queue_call("436", answered_by=None),
              ev(Kind.AGENT_STATUS, 5, None, agent="1", dial_number="1", dialable=True,
                 registered=True, logged_in=True)]
    random.Random(7).shuffle(events)
    calls, loose = group_calls(events)
    assert sorted(assemble_call(c, tz=TZ).pbx_call_id for c in calls) == ["435", "436"]
    assert [e.kind for e in loose] == [Kind.AGENT_STATUS]


def test_a_recycled_call_number_starts_a_new_call_at_its_start_line():
    first = [incoming(0, "435"), terminated(20, "435")]
    second = [incoming(86400, "435", number="0400"), terminated(86460, "435")]
    calls, _ = group_calls([*second, *first])
    records = [assemble_call(c, tz=TZ) for c in calls]
    assert [(r.unique_call_id, r.caller_number) for r in records] == [
        ("250301090000_435", "0438045630"), ("250302090000_435", "0400")]
