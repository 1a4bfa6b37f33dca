"""assemble_call on hand-built calls, one scenario per behaviour."""
from __future__ import annotations

from hub.assembly import assemble_call
from hub.vocabulary.pbx_event import Kind

from .builders import (
    TZ, answered, at, ev, incoming, internal, outgoing, q, q_received, queue_call, ringing, routed,
    terminated,
)


def test_queue_call_answered_by_an_agent():
    call = assemble_call(queue_call(), tz=TZ)
    assert call.unique_call_id == "250301090000_435"
    assert (call.direction, call.did, call.trunk, call.dest_number) == ("inbound", "0354060752",
                                                                        "Bendigo Telco", "0354060752")
    assert call.connected_at == at(9.5)  # the earliest witness of the answer (QueueManager)
    assert (call.call_duration, call.conversation_duration) == (60, 50)
    assert [(u.user, u.status, u.via_queue) for u in call.users] == [
        ("107", "missed", "822"), ("108", "answered", "822")]
    [leg] = call.queues
    assert (leg.status, leg.outcome, leg.agent) == ("answered", "Serviced", "108")
    assert (leg.entered_at, leg.left_at) == (at(0.2), at(60.2))  # routed line, terminated line


def test_unanswered_queue_call_is_abandoned_with_its_reason():
    call = assemble_call(queue_call(answered_by=None), tz=TZ)
    assert call.connected_at is None and call.conversation_duration == 0
    assert [(x.status, x.outcome, x.agent) for x in call.queues] == [("abandoned", "Abandoned", "")]
    assert {u.status for u in call.users} == {"missed"}


def test_outbound_call_not_answered_has_an_unanswered_originator():
    call = assemble_call([outgoing(0, "440", "108", "61354060752"), terminated(7.5, "440", "Busy")], tz=TZ)
    assert (call.direction, call.caller_number, call.caller_name, call.dest_number, call.did) == (
        "outbound", "108", "Mary Jones", "61354060752", "")
    assert [u.to_dict() for u in call.users] == [
        {"user": "108", "rang_at": None, "answered_at": None, "status": "unanswered"}]
    assert call.call_duration == 7


def test_outbound_call_answered_by_the_remote_party():
    events = [outgoing(0, "440", "108", "6135"), answered(8, "440", remote="6135"), terminated(20, "440")]
    call = assemble_call(events, tz=TZ)
    assert call.users[0].status == "answered" and call.users[0].answered_at == at(8)
    assert call.conversation_duration == 12


def test_internal_call_reaches_the_callee_when_it_starts():
    events = [internal(0.8, "441", "108", "109"), ringing(1.1, "441", "109"),
              answered(5, "441", "109"), terminated(30, "441")]
    call = assemble_call(events, tz=TZ)
    assert (call.direction, call.caller_number, call.dest_number, call.trunk) == ("internal", "108", "109", "")
    assert [(u.user, u.rang_at, u.status) for u in call.users] == [
        ("108", None, "answered"), ("109", at(0.8), "answered")]


def test_transfer_adds_a_user_leg_marked_with_its_kind():
    events = [incoming(0, "442"), routed(0.1, "442", "user", "109"), ringing(0.2, "442", "109"),
              answered(3, "442", "109"),
              ev(Kind.CALL_TRANSFERRED, 40, "442", by_user="109", target_type="user", target="110",
                 target_name="Fatima", transfer_type="attended"),
              ringing(40.1, "442", "110"), answered(45, "442", "110"), terminated(90, "442")]
    call = assemble_call(events, tz=TZ)
    assert [u.to_dict() for u in call.users][1] == {
        "user": "110", "rang_at": "2025-03-01T09:00:40+11:00",
        "answered_at": "2025-03-01T09:00:45+11:00", "status": "answered", "transfer": "Attended"}
    assert call.connected_at == at(3)


def test_no_answer_forward_records_who_forwarded():
    events = [incoming(0, "443"), routed(0.1, "443", "user", "108"), ringing(0.2, "443", "108"),
              ev(Kind.CALL_FORWARDED, 20, "443", from_user="108", target_type="user", target="109",
                 reason="no_answer"),
              ringing(20.1, "443", "109"), terminated(30, "443")]
    users = assemble_call(events, tz=TZ).users
    assert [(u.user, u.status, u.forwarded_from) for u in users] == [("108", "missed", None),
                                                                     ("109", "missed", "108")]


def test_ring_group_leg_is_answered_by_the_user_who_picked_up():
    events = [incoming(0, "444"), routed(0.2, "444", "ring_group", "830", "Front Office"),
              *(ringing(0.5, "444", u) for u in ("110", "100", "109")),
              answered(6, "444", "109"), terminated(50, "444")]
    call = assemble_call(events, tz=TZ)
    assert [u.user for u in call.users] == ["100", "109", "110"]  # equal ring times: by number
    assert [r.to_dict() for r in call.ring_groups] == [{"ring_group": "830", "status": "answered", "agent": "109"}]


def test_voicemail_and_recording_are_kept():
    events = [incoming(0, "445"), routed(0.1, "445", "user", "109"), ringing(0.2, "445", "109"),
              routed(20, "445", "voicemail", "109"),
              ev(Kind.VOICEMAIL_LEFT, 84, "445", user="109", user_name="Bob", duration=63),
              terminated(84.4, "445"),
              ev(Kind.RECORDING_SAVED, 85.1, "445", user="109", file="x_445_109.wav")]
    call = assemble_call(events, tz=TZ)
    assert call.voicemail.to_dict() == {"user": "109", "seconds": 63, "at": "2025-03-01T09:01:24+11:00"}
    assert call.recordings[0].at == at(84.4)  # a recording is complete when the call ends


def test_queue_transfer_and_failed_callback():
    events = [incoming(0, "446"), routed(0.1, "446", "queue", "823"), q_received(0.2, "446", "823", "10"),
              q(Kind.QUEUE_CALL_TRANSFERRED, 30, "823", "10", to_queue="822", to_qcid="11"),
              q(Kind.QUEUE_CALL_TERMINATED, 30.01, "823", "10", reason="Transferred"),
              routed(30.1, "446", "queue", "822"), q_received(30.2, "446", "822", "12"),
              q(Kind.QUEUE_CALLBACK_REQUESTED, 50, "822", "12", number="0438045630"),
              q(Kind.QUEUE_CALL_TERMINATED, 50.01, "822", "12", reason="Callback requested"),
              terminated(50.5, "446"),
              q(Kind.QUEUE_CALLBACK_INITIATED, 200, "822", "13", for_qcid="12", number="0438", agent="101"),
              q(Kind.QUEUE_CALLBACK_FAILED, 215, "822", "13", reason="Busy")]
    call = assemble_call(events, tz=TZ)
    assert [(x.queue, x.outcome, x.entered_at) for x in call.queues] == [
        ("823", "Transferred", at(0.1)), ("822", "Callback requested", at(30.1))]
    assert call.callback.to_dict() == {"qcid": "13", "status": "failed", "reason": "Busy", "agent": "101"}


def test_callback_only_requested_so_far():
    events = [*queue_call(answered_by=None),
              q(Kind.QUEUE_CALLBACK_REQUESTED, 30.1, "822", "2603", number="0438045630")]
    assert assemble_call(events, tz=TZ).callback.to_dict() == {"qcid": None, "status": "requested", "agent": ""}


def test_late_ringing_after_the_end_adds_no_user():
    events = [*queue_call(), ringing(70, "435", "111"), q(Kind.QUEUE_AGENT_RINGING, 71, "822", "2603", agent="112")]
    assert [u.user for u in assemble_call(events, tz=TZ).users] == ["107", "108"]


def test_queue_lines_without_callflow_still_make_a_call():
    events = [q_received(5, "447", "822", "20", number="0411", name="  "),
              q(Kind.QUEUE_AGENT_RINGING, 6, "822", "20", agent="101")]
    call = assemble_call(events, tz=TZ)
    assert (call.unique_call_id, call.caller_number, call.caller_name) == ("250301090005_447", "0411", "")
    assert call.ended_at is None and call.call_duration is None


def _cdr(**overrides):
    data = {"history_id": "448", "call_id": "x_448", "duration": 50, "time_start": "2025-02-28T22:00:00+00:00",
            "time_answered": "2025-02-28T22:00:10+00:00", "time_end": "2025-02-28T22:01:00+00:00",
            "from_no": "0438045630", "to_no": "Ext.822", "from_dn": "10001", "to_dn": "822",
            "dial_no": "0354060752", "final_dn": "108", "chain": ["0438045630", "Ext.107", "Ext.108"],
            "from_type": "Line", "to_type": "Queue", "final_type": "Extension",
            "from_dispname": "John Smith", "missed_queue_calls": ["107"]}
    return ev(Kind.CDR_RECORD, 60, "448", **(data | overrides))


def test_a_call_known_only_from_its_cdr_still_gets_a_record():
    call = assemble_call([_cdr()], tz=TZ)
    d = call.to_dict()
    assert (d["unique_call_id"], d["direction"], d["did"], d["caller_name"]) == (
        "250301090000_448", "inbound", "0354060752", "John Smith")
    assert (d["call_duration"], d["conversation_duration"]) == (60, 50)
    assert [(u["user"], u["status"], u["via_queue"]) for u in d["users"]] == [
        ("107", "missed", "822"), ("108", "answered", "822")]
    assert [(x["queue"], x["status"], x["agent"]) for x in d["queues"]] == [("822", "answered", "108")]


def test_cdr_completes_but_never_overrides_the_logs():
    logs = [ev(Kind.CALL_INCOMING, 0.6, "448", caller_number="0438045630", caller_name="Johnny",
               trunk_name="Acme", did="0354060752"), answered(10.5, "448", "108")]
    call = assemble_call([*logs, _cdr()], tz=TZ)
    assert call.caller_name == "Johnny" and call.connected_at == at(10.5)
    assert call.ended_at == at(60)  # only the CDR knew the end


def test_outbound_call_known_only_from_its_cdr():
    cdr = _cdr(from_no="Ext.110", to_no="6125", from_dn="110", to_dn="10001", dial_no="6125",
               chain=["Ext.110"], from_type="Extension", to_type="Line", final_dn="",
               from_dispname="Fatima")
    call = assemble_call([cdr], tz=TZ)
    assert (call.direction, call.caller_number, call.dest_number) == ("outbound", "110", "6125")
    assert [(u.user, u.status) for u in call.users] == [("110", "answered")]
