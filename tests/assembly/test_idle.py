"""The rule for calls whose end never comes."""
from __future__ import annotations

from datetime import timedelta

from hub.assembly import assemble_call, close_idle_call, closes_idle_call

from .builders import TZ, at, incoming, queue_call, ringing


def test_an_open_call_is_closed_once_idle_for_max_age():
    call = assemble_call([incoming(0, "9"), ringing(5, "9", "108")], tz=TZ)
    assert not closes_idle_call(call, at(5) + timedelta(minutes=59), timedelta(hours=1))
    assert closes_idle_call(call, at(5) + timedelta(hours=1), timedelta(hours=1))


def test_an_ended_call_is_never_closed_again():
    call = assemble_call(queue_call(), tz=TZ)
    assert not closes_idle_call(call, at(10**6), timedelta(seconds=1))


def test_closing_ends_the_call_at_its_last_activity_with_a_reason():
    closed = close_idle_call(assemble_call([incoming(0, "9"), ringing(5, "9", "108")], tz=TZ))
    assert closed.ended_at == at(5) and closed.call_duration == 5
    assert closed.to_dict()["closed_reason"] == "timeout"
