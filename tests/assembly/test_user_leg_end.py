"""UserLeg.ended_at: when one user's part of the call ended.

- A user who answered and then transferred the call on: the transfer (their talk ends there).
- Everyone else (a missed ring, the user who talked to the end, the originator, a transfer
  target): the call's end; None while the call goes on.
The webhooks' ``user_*_completed`` use the same value, so the history and the webhooks
agree; it is not a key of ``to_dict()`` (the sample's shape).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hub.assembly import assemble_call, close_idle_call, derive_events
from hub.assembly.record import seconds_between
from hub.vocabulary.pbx_event import Kind

from .builders import TZ, answered, at, ev, incoming, internal, outgoing, queue_call, ringing, routed, terminated


def _transfer(s: float, call: str, by: str, to: str, kind: str = "blind"):
    return ev(Kind.CALL_TRANSFERRED, s, call, by_user=by, target_type="user", target=to,
              target_name=f"User {to}", transfer_type=kind)


def _transferred_call(end: bool = True) -> list:
    events = [incoming(0, "442"), routed(0.1, "442", "user", "109"), ringing(0.2, "442", "109"),
              answered(3, "442", "109"), _transfer(40.5, "442", "109", "110", "attended"),
              ringing(40.6, "442", "110"), answered(45, "442", "110")]
    return events + [terminated(90, "442")] if end else events


def test_a_user_who_transferred_the_call_ends_at_the_transfer():
    call = assemble_call(_transferred_call(), tz=TZ)
    by_user = {u.user: u for u in call.users}
    assert by_user["109"].ended_at == at(40.5)
    assert by_user["109"].conversation_duration == 37  # 3 -> 40.5, not to the call's end
    assert by_user["110"].ended_at == at(90) and by_user["110"].conversation_duration == 45
    assert call.conversation_duration == 87  # the call's own talk time is unchanged


def test_missed_legs_and_the_agent_who_talked_end_with_the_call():
    call = assemble_call(queue_call(answered_by="108"), tz=TZ)
    assert [(u.user, u.status, u.ended_at) for u in call.users] == [
        ("107", "missed", at(60.3)), ("108", "answered", at(60.3))]
    assert [u.conversation_duration for u in call.users] == [0, 50]


def test_no_end_while_the_call_goes_on_except_for_a_user_who_handed_it_on():
    call = assemble_call(_transferred_call(end=False), tz=TZ)
    by_user = {u.user: u for u in call.users}
    assert by_user["109"].ended_at == at(40.5)
    assert by_user["110"].ended_at is None and by_user["110"].conversation_duration is None


def test_the_originator_ends_with_the_call_or_at_their_own_transfer():
    plain = assemble_call([outgoing(0, "1", "108", "6135"), answered(5, "1", remote="6135"),
                           terminated(65, "1")], tz=TZ)
    assert (plain.users[0].user, plain.users[0].ended_at) == ("108", at(65))
    handed = assemble_call([internal(0, "2", "108", "109"), ringing(0.1, "2", "109"), answered(4, "2", "109"),
                            _transfer(20, "2", "108", "110"), ringing(20.1, "2", "110"),
                            terminated(80, "2")], tz=TZ)
    assert [(u.user, u.ended_at) for u in handed.users] == [("108", at(20)), ("109", at(80)), ("110", at(80))]


def test_a_transfer_before_answering_does_not_end_the_leg_early():
    # Only a user who talked can hand the call on; a transfer line stamped before their
    # answer belongs to an earlier leg of theirs, not to this one.
    events = [incoming(0, "5"), routed(0.1, "5", "user", "109"), ringing(0.2, "5", "109"),
              _transfer(1, "5", "109", "110"), ringing(1.1, "5", "110"), answered(3, "5", "110"),
              terminated(30, "5")]
    assert {u.user: u.ended_at for u in assemble_call(events, tz=TZ).users} == {"109": at(30), "110": at(30)}


def test_ended_at_is_not_in_to_dict():
    call = assemble_call(_transferred_call(), tz=TZ)
    assert all("ended_at" not in u.to_dict() for u in call.users)


def test_webhooks_complete_each_user_at_their_ended_at():
    events = _transferred_call()
    call = assemble_call(events, tz=TZ)
    done = {e.payload["user_number"]: e for e in derive_events(call, events)
            if e.trigger == "user_inbound_completed"}
    for leg in call.users:
        assert done[leg.user].occurred_at == leg.ended_at
        assert done[leg.user].payload["conversation_duration"] == leg.conversation_duration
        assert done[leg.user].payload["call_duration"] == seconds_between(call.call_start_at, leg.ended_at)


def test_closing_an_idle_call_ends_the_legs_still_open():
    call = close_idle_call(assemble_call(_transferred_call(end=False), tz=TZ))
    assert call.ended_at == at(45)  # the last activity: 110's answer
    assert {u.user: u.ended_at for u in call.users} == {"109": at(40.5), "110": at(45)}


def test_durations_are_real_time_across_a_dst_change():
    melbourne = ZoneInfo("Australia/Melbourne")
    start = datetime(2025, 10, 5, 1, 59, tzinfo=melbourne)  # 02:00 becomes 03:00
    events = [incoming(0, "7"), routed(0.1, "7", "user", "109"), ringing(0.2, "7", "109"),
              answered(10, "7", "109"), terminated(130, "7")]
    # In real time (UTC), as a parser turns the local stamps into aware times.
    moved = [replace(e, occurred_at=(start.astimezone(timezone.utc) + (e.occurred_at - at(0))))
             for e in events]
    call = assemble_call(moved, tz=melbourne)
    assert call.ended_at.hour == 3 and call.call_duration == 130 and call.conversation_duration == 120
    assert call.users[0].conversation_duration == 120
    assert call.ended_at - call.call_start_at == timedelta(hours=1, seconds=130)  # the wall clock
