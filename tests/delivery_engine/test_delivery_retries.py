"""Outcomes: retries scheduled in the DB (time driven by an explicit `now`), give-ups, disables."""
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.models import Attempt, AuditEntry, DeliveryStatus, WebhookEndpoint
from hub.services.delivery import deliveries_sweep, endpoint_pump, webhook_endpoint_create
from tests.delivery_engine.engine import emit, later, run_due
from tests.delivery_engine.receiver import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(account, receiver):
    endpoint, _ = webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"],
                                          actor="test", timeout_seconds=2)
    return endpoint


def test_delivery_retries_on_500_then_succeeds_with_the_same_webhook_id(endpoint, pbx, receiver):
    receiver.replies = [Reply(500, b"boom"), Reply(503)]
    [delivery] = emit(pbx)

    sent_at = timezone.now()
    assert run_due(now=sent_at) == [DeliveryStatus.PENDING]
    delivery.refresh_from_db()
    wait = delivery.next_attempt_at - sent_at
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)  # 5 s ± 20 %
    assert run_due(now=sent_at + timedelta(seconds=3.9)) == []  # not due yet

    assert run_due(now=later(seconds=7)) == [DeliveryStatus.PENDING]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > timedelta(minutes=3)  # 5 min ± 20 %
    assert run_due(now=later(minutes=7)) == [DeliveryStatus.DELIVERED]

    assert len({r.header("webhook-id") for r in receiver.requests}) == 1
    assert len(receiver.requests) == 3
    attempts = list(Attempt.objects.filter(delivery=delivery).values_list("status_code", "response_body"))
    assert attempts == [(500, "boom"), (503, "ok"), (200, "ok")]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempt_count == 3


def test_gives_up_after_the_schedule_is_used_up(endpoint, pbx, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (0, 5, 5)
    receiver.default = Reply(500)
    [delivery] = emit(pbx)
    run_due()
    run_due(now=later(seconds=7))
    assert run_due(now=later(seconds=14)) == [DeliveryStatus.FAILED]
    delivery.refresh_from_db()
    assert delivery.attempt_count == 3 and delivery.last_error == "HTTP 500"
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 3 and endpoint.failing_since is not None
    assert endpoint.last_failure_reason == "HTTP 500"


@pytest.mark.parametrize("status", [400, 401, 404, 301])
def test_4xx_and_3xx_are_permanent(endpoint, pbx, receiver, status):
    receiver.default = Reply(status, headers={"Location": "http://example.com/"} if status == 301 else {})
    [delivery] = emit(pbx)
    assert run_due() == [DeliveryStatus.FAILED]
    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_410_disables_the_endpoint_visibly(endpoint, pbx, receiver):
    receiver.default = Reply(410)
    emit(pbx)
    assert run_due() == [DeliveryStatus.FAILED]
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    assert emit(pbx) == []  # a disabled endpoint gets no new deliveries
    entry = AuditEntry.objects.get(action="webhook.disabled", object_id=str(endpoint.pk))
    assert entry.actor == "system" and entry.changes == {"enabled": [True, False]} and "410" in entry.summary


def test_429_waits_at_least_retry_after(endpoint, pbx, receiver):
    receiver.replies = [Reply(429, headers={"Retry-After": "120"})]
    [delivery] = emit(pbx)
    assert run_due() == [DeliveryStatus.PENDING]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=115)
    assert run_due(now=later(seconds=60)) == []
    assert run_due(now=later(seconds=125)) == [DeliveryStatus.DELIVERED]


def test_408_is_retried(endpoint, pbx, receiver):
    receiver.replies = [Reply(408)]
    emit(pbx)
    assert run_due() == [DeliveryStatus.PENDING]


def test_a_timeout_is_logged_and_retried(endpoint, pbx, receiver):
    endpoint.timeout_seconds = 1
    endpoint.save()
    receiver.replies = [Reply(200, delay=3)]
    [delivery] = emit(pbx)
    assert run_due() == [DeliveryStatus.PENDING]
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.error_class == "timeout" and attempt.status_code is None
    assert attempt.duration_ms < 2500
    assert run_due(now=later(seconds=7)) == [DeliveryStatus.DELIVERED]


def test_a_refused_connection_is_retried(account, pbx):
    webhook_endpoint_create(account=account, url="http://127.0.0.1:9/", triggers=["user_inbound"], actor="t")
    [delivery] = emit(pbx)
    assert run_due() == [DeliveryStatus.PENDING]
    assert Attempt.objects.get(delivery=delivery).error_class == "connection"


def test_an_address_outside_the_allowlist_is_refused_and_not_retried(account, pbx, settings):
    webhook_endpoint_create(account=account, url="http://127.0.0.1:9/", triggers=["user_inbound"], actor="t")
    # Saved while allowed (a private address is refused at save), then the operator took it back.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = []
    [delivery] = emit(pbx)
    assert run_due() == [DeliveryStatus.FAILED]
    assert Attempt.objects.get(delivery=delivery).error_class == "ssrf_refused"


def test_the_endpoint_is_disabled_after_failing_for_days(endpoint, pbx, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (0,)
    receiver.default = Reply(500)
    emit(pbx)
    run_due()
    endpoint.refresh_from_db()
    assert endpoint.enabled
    emit(pbx)
    run_due(now=later(days=5, minutes=1))
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "5 days" in endpoint.disabled_reason


def test_a_success_clears_the_failure_streak(endpoint, pbx, receiver):
    receiver.replies = [Reply(500)]
    emit(pbx)
    run_due()
    run_due(now=later(seconds=7))
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None
    assert endpoint.last_failure_at is not None and endpoint.last_success_at is not None


def test_disabled_endpoint_deliveries_wait_and_go_after_re_enable(endpoint, pbx, receiver):
    from hub.services.delivery import webhook_endpoint_enable
    [delivery] = emit(pbx)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason="x")
    assert run_due() == []
    webhook_endpoint_enable(endpoint=endpoint, actor="test")
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == "" and endpoint.consecutive_failures == 0
    assert run_due() == [DeliveryStatus.DELIVERED]


# Retries fire at their due time, not at the sweeper's next run: a leaving pump publishes its
# endpoint's wake-up for when the next retry falls due (the broker holds it until then).

@pytest.fixture
def wake_ups(monkeypatch):
    """The retry wake-ups published to the broker, as (task, args, eta); none published before."""
    from celery import current_app

    from hub.services.delivery import enqueue
    published = []
    monkeypatch.setattr(enqueue, "SCHEDULED", enqueue._Scheduled())
    monkeypatch.setattr(current_app, "send_task", lambda name, args, eta=None, **options:
                        published.append((name, args, eta)) if eta else None)
    return published


def test_a_failed_attempt_wakes_its_pump_when_the_retry_falls_due(endpoint, pbx, receiver, wake_ups):
    receiver.replies = [Reply(503)]
    [delivery] = emit(pbx)
    sent_at = timezone.now()

    assert endpoint_pump(endpoint_id=endpoint.pk, now=sent_at).outcomes == {DeliveryStatus.PENDING: 1}

    delivery.refresh_from_db()
    due = delivery.next_attempt_at
    assert timedelta(seconds=4) <= due - sent_at <= timedelta(seconds=6)  # the schedule's 5 s ± 20 %
    assert wake_ups == [("hub.deliver_endpoint", [endpoint.pk], due)]
    # The woken pump, at the due time, sends it.
    assert endpoint_pump(endpoint_id=endpoint.pk, now=due).outcomes == {DeliveryStatus.DELIVERED: 1}


def test_a_pump_leaving_again_does_not_publish_the_same_wake_up_twice(endpoint, pbx, receiver, wake_ups):
    receiver.replies = [Reply(503)]
    emit(pbx)
    now = timezone.now()
    endpoint_pump(endpoint_id=endpoint.pk, now=now)

    endpoint_pump(endpoint_id=endpoint.pk, now=now + timedelta(seconds=1))  # woken by other traffic: nothing due

    assert len(wake_ups) == 1


def test_an_earlier_retry_gets_its_own_wake_up(endpoint, pbx, receiver, wake_ups, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (0, 300, 300)
    receiver.default = Reply(503)
    [first] = emit(pbx)
    now = timezone.now()
    endpoint_pump(endpoint_id=endpoint.pk, now=now)
    settings.WEBHOOK_RETRY_SCHEDULE = (0, 5, 5)
    [second] = emit(pbx)

    endpoint_pump(endpoint_id=endpoint.pk, now=now)

    first.refresh_from_db()
    second.refresh_from_db()
    assert [eta for _, _, eta in wake_ups] == [first.next_attempt_at, second.next_attempt_at]


def test_a_retry_beyond_the_horizon_is_left_to_the_sweeper(endpoint, pbx, receiver, wake_ups, settings,
                                                          monkeypatch):
    from hub.services.delivery import sweep
    settings.WEBHOOK_RETRY_SCHEDULE = (0, 1800)
    receiver.replies = [Reply(503)]
    [delivery] = emit(pbx)
    endpoint_pump(endpoint_id=endpoint.pk, now=timezone.now())
    delivery.refresh_from_db()
    woken = []
    monkeypatch.setattr(sweep, "endpoints_wake", woken.extend)

    deliveries_sweep(now=delivery.next_attempt_at)

    assert wake_ups == []
    assert woken == [endpoint.pk]


def test_an_endpoint_without_retries_fails_a_delivery_at_its_first_failure(account, pbx, receiver):
    # Seed 000 posts each event once; its receivers may not expect a second try.
    webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"], actor="test",
                            timeout_seconds=2, retry_policy="none")
    receiver.default = Reply(503)
    [delivery] = emit(pbx)

    assert run_due() == [DeliveryStatus.FAILED]
    assert run_due(now=later(hours=30)) == []  # never tried again
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, len(receiver.requests)) == (DeliveryStatus.FAILED, 1, 1)


def test_without_retries_a_delivered_event_is_delivered_and_other_endpoints_keep_their_schedule(
        account, pbx, receiver, other_receiver):
    webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"], actor="test",
                            timeout_seconds=2, retry_policy="none")
    webhook_endpoint_create(account=account, url=other_receiver.url, triggers=["user_inbound"], actor="test",
                            timeout_seconds=2)
    other_receiver.replies = [Reply(500)]
    emit(pbx)
    assert run_due() == [DeliveryStatus.DELIVERED, DeliveryStatus.PENDING]
    assert run_due(now=later(seconds=10)) == [DeliveryStatus.DELIVERED]
