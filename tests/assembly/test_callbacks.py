"""A queue callback is part of the call the caller left, shown only in ``callback``.

As in expected_calls.json (calls 916, 952, 961, 966, 988): the callback's own QCID is never a
queue leg. A reached callback is logged with the ordinary ``answered by agent`` and
``terminated; reason=Serviced`` lines on that QCID, usually after the call ended; that makes
``callback.status`` ``answered`` (with the agent who answered) and changes nothing else: no
queue leg, no user leg, the original call stays unanswered.
"""
from __future__ import annotations

from hub.assembly import assemble_call, derive_events
from hub.vocabulary.pbx_event import Kind

from .builders import TZ, q, queue_call, terminated

_ORIGINAL = [e for e in queue_call(answered_by=None)]  # QCID 2603 abandoned at 30.2, call over at 30.3


def _requested_then_dialled(dial_at: float = 200) -> list:
    return [*_ORIGINAL,
            q(Kind.QUEUE_CALLBACK_REQUESTED, 29, "822", "2603", number="0438045630"),
            q(Kind.QUEUE_CALLBACK_INITIATED, dial_at, "822", "2610", for_qcid="2603", number="0438045630",
              agent="107")]


def _reached(dial_at: float = 200) -> list:
    return [*_requested_then_dialled(dial_at),
            q(Kind.QUEUE_CALL_ANSWERED, dial_at + 9, "822", "2610", agent="107"),
            q(Kind.QUEUE_CALL_TERMINATED, dial_at + 240, "822", "2610", reason="Serviced")]


def test_a_reached_callback_is_answered_and_adds_no_queue_leg():
    before = assemble_call(_requested_then_dialled(), tz=TZ)
    call = assemble_call(_reached(), tz=TZ)

    assert call.callback.to_dict() == {"qcid": "2610", "status": "answered", "agent": "107"}
    assert [leg.to_dict() for leg in call.queues] == [leg.to_dict() for leg in before.queues]
    assert [(leg.qcid, leg.status, leg.outcome) for leg in call.queues] == [("2603", "abandoned", "Abandoned")]
    assert all(leg.entered_at is not None for leg in call.queues)


def test_reaching_the_caller_back_does_not_answer_the_original_call():
    before = assemble_call(_requested_then_dialled(), tz=TZ).to_dict()
    after = assemble_call(_reached(), tz=TZ).to_dict()

    assert after["connected_at"] is None and after["conversation_duration"] == 0
    assert after["users"] == before["users"]
    assert {**after, "callback": None} == {**before, "callback": None}


def test_a_callback_answered_while_the_call_has_no_end_yet_still_does_not_answer_it():
    # The original call's Terminated line has not been read yet (the two files are tailed
    # independently): the callback's answer must not be taken for the call's.
    events = [e for e in _reached(dial_at=20) if e.kind != Kind.CALL_TERMINATED]
    call = assemble_call(events, tz=TZ)
    assert call.connected_at is None
    assert [u.status for u in call.users] == ["missed", "missed"]
    assert call.callback.status == "answered" and [x.qcid for x in call.queues] == ["2603"]


def test_a_dialled_callback_not_reached_yet_stays_initiated():
    call = assemble_call(_requested_then_dialled(), tz=TZ)
    assert call.callback.to_dict() == {"qcid": "2610", "status": "initiated", "agent": "107"}


def test_a_failed_callback_stays_failed():
    events = [*_requested_then_dialled(), q(Kind.QUEUE_CALLBACK_FAILED, 215, "822", "2610", reason="Busy")]
    assert assemble_call(events, tz=TZ).callback.to_dict() == {
        "qcid": "2610", "status": "failed", "reason": "Busy", "agent": "107"}


def test_the_callback_qcid_gets_no_queue_call_summary_but_keeps_its_seed_events():
    events = _reached()
    derived = derive_events(assemble_call(events, tz=TZ), events)
    summaries = [e for e in derived if e.trigger == "queue_call"]
    assert [e.key.rsplit(":", 1)[1] for e in summaries] == ["2603"]
    seed = [(e.trigger, e.payload["qcid"]) for e in derived if e.payload.get("qcid") == "2610"]
    assert seed == [("callback_initiated", "2610"), ("call_answered", "2610"), ("call_terminated", "2610")]


def test_the_original_call_end_is_unchanged_by_the_callback():
    call = assemble_call(_reached(), tz=TZ)
    assert call.ended_at == terminated(30.3, "435").occurred_at
    assert call.call_duration == 30
