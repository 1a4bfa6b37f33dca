"""derive_events: stable keys, catalogue-shaped payloads, the late-ringing rule."""
from __future__ import annotations

from hub.assembly import assemble_call, derive_events
from hub.catalogue import get, payload_problems
from hub.vocabulary.pbx_event import Kind

from .builders import TZ, answered, ev, internal, outgoing, q, queue_call, ringing, terminated


def _triggers(events):
    return [e.trigger for e in derive_events(assemble_call(events, tz=TZ), events)]


def test_queue_call_derives_user_queue_and_seed_events():
    derived = derive_events(assemble_call(queue_call(), tz=TZ), queue_call())
    by_trigger = {}
    for e in derived:
        by_trigger.setdefault(e.trigger, []).append(e)
    assert len(by_trigger["user_inbound"]) == 2 and len(by_trigger["user_inbound_completed"]) == 2
    [answered_event] = by_trigger["user_inbound_answered"]
    assert answered_event.payload["user_number"] == "108"
    assert answered_event.payload["queue_name"] == "Sales"
    [summary] = by_trigger["queue_call"]
    assert (summary.payload["status"], summary.payload["user_number"]) == ("answered", "108")
    assert {"call_received", "call_answered", "call_terminated"} <= set(by_trigger)


def test_every_derived_payload_has_exactly_the_catalogue_fields():
    scenarios = [queue_call(), queue_call(answered_by=None),
                 [outgoing(0, "1", "108", "6135"), answered(5, "1", remote="6135"), terminated(9, "1"),
                  ev(Kind.RECORDING_SAVED, 9.5, "1", user="108", file="a.wav")],
                 [internal(0, "2", "108", "109"), ringing(0.1, "2", "109"), terminated(9, "2")]]
    for events in scenarios:
        for e in derive_events(assemble_call(events, tz=TZ), events):
            assert payload_problems(get(e.trigger), e.payload) == [], e


def test_keys_are_stable_as_more_events_arrive():
    events = queue_call()
    early = derive_events(assemble_call(events[:5], tz=TZ), events[:5])
    late = derive_events(assemble_call(events, tz=TZ), events)
    assert {e.key for e in early} <= {e.key for e in late}


def test_a_ringing_logged_after_the_end_rings_nobody_and_the_calls_own_facts_stay():
    # The old rule dropped every in-progress trigger of a call stored as ended before the
    # batch, so a QueueManager log read after the CallFlow one lost call_received and
    # call_answered for good. A stale ringing is the assembler's business (it rings nobody).
    events = [*queue_call(), ringing(70, "435", "111")]  # a ringing logged after the end (60.3 s)
    derived = derive_events(assemble_call(events, tz=TZ), events)
    assert "111" not in {e.payload.get("user_number") for e in derived}
    assert {"call_received", "call_answered", "user_inbound", "user_inbound_completed"} <= {e.trigger for e in derived}


def test_call_in_progress_has_no_summaries_yet():
    triggers = _triggers(queue_call()[:7])
    assert "user_inbound" in triggers
    assert not {"queue_call", "user_inbound_completed", "call_terminated"} & set(triggers)


def test_outbound_call_derives_outbound_triggers_and_recording():
    events = [outgoing(0, "1", "108", "6135"), answered(5, "1", remote="6135"), terminated(9, "1"),
              ev(Kind.RECORDING_SAVED, 9.5, "1", user="108", file="a.wav")]
    assert _triggers(events) == ["user_outbound", "user_outbound_answered", "user_outbound_completed",
                                 "recording_outbound"]


def test_direct_ring_derives_call_direct_but_a_transfer_ring_does_not():
    events = [ev(Kind.CALL_INCOMING, 0, "3", caller_number="04", caller_name="", did="03", trunk_name="T"),
              ev(Kind.CALL_ROUTED, 0.1, "3", target_type="user", target="109", target_name="Bob"),
              ringing(0.2, "3", "109"), answered(2, "3", "109"),
              ev(Kind.CALL_TRANSFERRED, 9, "3", by_user="109", target_type="user", target="110",
                 target_name="F", transfer_type="blind"),
              ringing(9.1, "3", "110"), terminated(20, "3")]
    derived = derive_events(assemble_call(events, tz=TZ), events)
    directs = [e.payload for e in derived if e.trigger == "call_direct"]
    assert [(p["extension"], p["did"], p["trunk"]) for p in directs] == [("109", "03", "T")]
    done = {e.payload["user_number"]: e for e in derived if e.trigger == "user_inbound_completed"}
    assert done["109"].payload["conversation_duration"] == 7  # until the transfer, not the end


def test_callback_failed_carries_the_number_from_the_dialling_line():
    events = [*queue_call(answered_by=None),
              q(Kind.QUEUE_CALLBACK_INITIATED, 100, "822", "2610", for_qcid="2603", number="0438", agent="101"),
              q(Kind.QUEUE_CALLBACK_FAILED, 110, "822", "2610", reason="Busy")]
    derived = derive_events(assemble_call(events, tz=TZ), events)
    [failed] = [e.payload for e in derived if e.trigger == "callback_failed"]
    assert (failed["callback_number"], failed["pbx_call_id"]) == ("0438", "435")
