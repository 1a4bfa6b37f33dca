"""How long a push-fed PBX's webhooks wait: its own lateness allowance (Pbx.push_lateness_seconds,
0 for a sender that never reorders), and a one-off wake-up at the moment the push watermark
passes what waits (hub.services.ingest.push_wakeups) instead of the beat task's next pass."""
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone as dj_timezone

from hub.models import CatalogueEvent, Pbx
from hub.services.ingest.push_wakeups import push_wakeup_at
from hub.services.webui_pbx import pbx_settings_update
from hub.tasks import advance_pushes
from tests.api.push import push_json
from tests.factories import make_account


def _live(event_id: str, kind: str, at, **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": at.isoformat(), "pbx_call_id": "901", "data": data}


def _sent(pbx) -> set[str]:
    return set(CatalogueEvent.objects.filter(pbx=pbx).values_list("trigger", flat=True))


@pytest.mark.django_db
def test_an_allowance_of_zero_sends_a_lines_own_fact_as_it_arrives():
    _, pbx, token = make_account("zero", timezone="+11:00")
    pbx_settings_update(pbx=pbx, actor="test", push_lateness_seconds=0)
    now = dj_timezone.now()
    client = Client()
    assert push_json(client, token, [_live("in", "call.incoming", now, caller_number="+61390001234"),
                                     _live("ring", "user.ringing", now, user="102")]).status_code == 202
    assert "user_inbound" in _sent(pbx)  # the screen-pop at once, no beat task, no wait


@pytest.mark.django_db
def test_what_waits_for_the_push_stream_is_woken_at_the_last_push_plus_the_allowance():
    _, pbx, token = make_account("wake", timezone="+11:00")
    pbx_settings_update(pbx=pbx, actor="test", push_lateness_seconds=20)
    client, now = Client(), dj_timezone.now()
    for seconds, push in ((-3, _live("in", "call.incoming", now, caller_number="+61390001234")),
                          (-2, _live("ring", "user.ringing", now, user="102")),
                          (-1, _live("end", "call.terminated", now, reason="NoAnswer"))):
        push["occurred_at"] = (now + timedelta(seconds=seconds)).isoformat()
        assert push_json(client, token, push).status_code == 202
    pbx.refresh_from_db()
    assert _sent(pbx) == set()
    # The call's first event, 2 s before the newest pushed time, is due at the last push plus
    # the allowance less those 2 s: the wake-up is published for then, not the beat's next pass.
    wake = push_wakeup_at(pbx, pbx.pushed_at)
    assert wake == pbx.pushed_at + timedelta(seconds=20 - 2)
    with mock.patch("django.utils.timezone.now", lambda: wake - timedelta(milliseconds=1)):
        advance_pushes(pbx.pk)  # a wake-up that came a moment early lets nothing out
    assert _sent(pbx) == set()
    with mock.patch("django.utils.timezone.now", lambda: wake):
        advance_pushes(pbx.pk)
    ringing = push_wakeup_at(pbx, wake)  # then the ringing, a second later
    assert ringing == pbx.pushed_at + timedelta(seconds=20 - 1)
    with mock.patch("django.utils.timezone.now", lambda: ringing):
        advance_pushes(pbx.pk)
    assert "user_inbound" in _sent(pbx) and "user_inbound_completed" not in _sent(pbx)
    # The completion waits for SETTLE after the end: the wake-ups that follow (each event's
    # moment in turn) bring it out at the last push plus the allowance plus those 10 s.
    completion, at = pbx.pushed_at + timedelta(seconds=20 + 10), ringing
    while "user_inbound_completed" not in _sent(pbx):
        following = push_wakeup_at(pbx, at)
        assert at < following <= completion
        at = following
        with mock.patch("django.utils.timezone.now", lambda: at):
            advance_pushes(pbx.pk)
    assert at == completion
    assert push_wakeup_at(pbx, completion) is None  # nothing waits any more


@pytest.mark.django_db
def test_the_allowance_is_the_pbxs_own_or_the_hubs_default(settings):
    from hub.services.ingest.watermarks import push_lateness
    settings.PUSH_LATENESS_SECONDS = 45
    _, pbx, _ = make_account("own", timezone="+11:00")
    assert push_lateness(pbx) == timedelta(seconds=45)
    pbx_settings_update(pbx=pbx, actor="test", push_lateness_seconds=5)
    assert push_lateness(Pbx.objects.get(pk=pbx.pk)) == timedelta(seconds=5)
    pbx_settings_update(pbx=pbx, actor="test", push_lateness_seconds="")
    assert Pbx.objects.get(pk=pbx.pk).push_lateness_seconds is None
