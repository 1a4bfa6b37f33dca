"""The call record is a function of the SET of events: order and repeats never matter."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.assembly import assemble_call, derive_events
from hub.vocabulary.pbx_event import Kind

from .builders import TZ, answered, ev, q, queue_call, ringing

SCENARIO = [
    *queue_call(),
    ev(Kind.CALL_TRANSFERRED, 30, "435", by_user="108", target_type="user", target="110",
       target_name="F", transfer_type="blind"),
    ringing(30.1, "435", "110"), answered(33, "435", "110"),
    ev(Kind.RECORDING_SAVED, 61, "435", user="110", file="r.wav"),
    q(Kind.QUEUE_DTMF, 1.0, "822", "2603", digit="2"),
]
EXPECTED = assemble_call(SCENARIO, tz=TZ)


@settings(max_examples=150, deadline=None)
@given(st.permutations(SCENARIO), st.lists(st.sampled_from(SCENARIO), max_size=8))
def test_shuffled_and_repeated_events_give_the_same_call(order, repeats):
    assert assemble_call([*order, *repeats], tz=TZ) == EXPECTED


@settings(max_examples=60, deadline=None)
@given(st.permutations(SCENARIO), st.lists(st.sampled_from(SCENARIO), max_size=5))
def test_shuffled_and_repeated_events_derive_the_same_catalogue_events(order, repeats):
    events = [*order, *repeats]
    assert derive_events(assemble_call(events, tz=TZ), events) == derive_events(EXPECTED, SCENARIO)


@settings(max_examples=150, deadline=None)
@given(st.sets(st.sampled_from(range(len(SCENARIO)))))
def test_a_call_once_ended_stays_ended_whatever_else_arrives(extra):
    ended = [e for e in SCENARIO if e.kind == Kind.CALL_TERMINATED]
    subset = ended + [SCENARIO[i] for i in sorted(extra)]
    call = assemble_call(subset, tz=TZ)
    assert call.ended_at == ended[0].occurred_at


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(range(len(SCENARIO)))), st.floats(0.001, 400))
def test_a_late_ringing_never_reopens_or_changes_an_ended_call(extra, when):
    base = [SCENARIO[i] for i in sorted(extra)]
    base += [e for e in SCENARIO if e.kind == Kind.CALL_TERMINATED]
    before = assemble_call(base, tz=TZ)
    after = assemble_call([*base, ringing(60.3 + when, "435", "199")], tz=TZ)
    assert after.ended_at == before.ended_at and after.users == before.users
