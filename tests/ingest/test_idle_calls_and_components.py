from datetime import datetime, timedelta, timezone

import pytest

from hub.models import Call, CallState, CatalogueEvent, ComponentCondition, WebhookComponent
from hub.services.calls import calls_close_idle
from hub.services.ingest import events_ingest
from tests.factories import make_account
from tests.ingest.samples import sample_events

UTC = timezone.utc


def _without_terminations(events):
    return [e for e in events if e.kind not in ("call.terminated", "queue.call_terminated", "cdr.record")]


@pytest.mark.django_db
def test_call_whose_end_never_comes_is_closed_and_marked():
    _, pbx, _ = make_account(timezone="+11:00")
    events_ingest(pbx=pbx, events=_without_terminations(sample_events()["callflow"]))
    open_calls = Call.objects.filter(pbx=pbx, state=CallState.IN_PROGRESS)
    assert open_calls.exists()
    oldest, newest = min(c.last_event_at for c in open_calls), max(c.last_event_at for c in open_calls)
    timeout = timedelta(seconds=pbx.idle_call_timeout)
    assert calls_close_idle(now=oldest + timeout - timedelta(seconds=1)) == 0
    count = open_calls.count()
    assert calls_close_idle(now=newest + timeout + timedelta(seconds=1)) == count
    assert not Call.objects.filter(pbx=pbx, state=CallState.IN_PROGRESS).exists()
    call = Call.objects.filter(pbx=pbx, state=CallState.CLOSED_IDLE).first()
    assert call.closed_reason.startswith("no end seen") and call.ended_at is not None
    assert call.call_duration >= (call.conversation_duration or 0) >= 0
    assert CatalogueEvent.objects.filter(call=call, trigger__in=["user_inbound_completed", "user_outbound_completed",
                                                                  "queue_call", "ring_group_call"]).exists()


@pytest.mark.django_db
def test_closed_call_is_not_reopened_by_a_late_ringing_line():
    _, pbx, _ = make_account(timezone="+11:00")
    events = _without_terminations(sample_events()["callflow"])
    events_ingest(pbx=pbx, events=events[:-5])
    calls_close_idle(now=datetime(2030, 1, 1, tzinfo=UTC))
    before = {c.pk: (c.state, c.ended_at) for c in Call.objects.filter(pbx=pbx)}
    events_ingest(pbx=pbx, events=events[-5:])
    for call in Call.objects.filter(pk__in=before):
        if before[call.pk][0] == CallState.CLOSED_IDLE:
            assert call.state == CallState.CLOSED_IDLE and call.ended_at is not None


@pytest.mark.django_db
def test_component_fires_once_when_a_call_reaches_its_queue():
    account, pbx, _ = make_account(timezone="+11:00")
    WebhookComponent.objects.create(account=account, name="Sales queue", condition=ComponentCondition.REACHED_QUEUE, target="822")
    events = [e for stream in sample_events().values() for e in stream]
    events_ingest(pbx=pbx, events=events)
    events_ingest(pbx=pbx, events=events)
    fired = CatalogueEvent.objects.filter(pbx=pbx, trigger="webhook_component_event")
    sales_calls = Call.objects.filter(pbx=pbx, queue_legs__queue="822").distinct()
    assert fired.count() == sales_calls.count() > 0
    payload = fired.first().payload
    assert payload["component_name"] == "Sales queue" and set(payload) == {
        "type", "unique_call_id", "user_name", "user_number", "dest_number", "call_start_at", "component_name"}


@pytest.mark.django_db
def test_queue_wait_component_fires_only_for_long_waits():
    account, pbx, _ = make_account(timezone="+11:00")
    WebhookComponent.objects.create(account=account, name="Waited 60s", condition=ComponentCondition.QUEUE_WAIT_OVER, seconds=60)
    events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    fired_calls = set(CatalogueEvent.objects.filter(trigger="webhook_component_event").values_list("call__unique_call_id", flat=True))
    for call in Call.objects.filter(pbx=pbx).prefetch_related("queue_legs", "user_legs"):
        waits = []
        for leg in call.queue_legs.all():
            answered = next((u.answered_at for u in call.user_legs.all() if u.via_queue == leg.queue and u.user == leg.agent), None)
            until = answered or leg.left_at
            if until and leg.entered_at:
                waits.append((until - leg.entered_at).total_seconds())
        assert (call.unique_call_id in fired_calls) == any(w > 60 for w in waits), call.unique_call_id


@pytest.mark.django_db
def test_agent_status_is_derived_without_a_call():
    _, pbx, _ = make_account(timezone="+11:00")
    events_ingest(pbx=pbx, events=sample_events()["queuemanager"])
    statuses = CatalogueEvent.objects.filter(pbx=pbx, trigger="agent_status")
    assert statuses.count() == 4 and all(e.call_id is None for e in statuses)
