"""The admin's delivery tools and what they leave in the audit log: retry now, what a waiting
delivery waits for, an edited test payload, response headers in the attempt log, health counts."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.errors import Conflict, InvalidInput
from hub.models import Attempt, AuditEntry, Delivery, DeliveryStatus
from hub.selectors.delivery_wait import delivery_waits
from hub.services.delivery import (
    delivery_redeliver, delivery_retry_now, signing_secrets_reveal, webhook_endpoint_create, webhook_endpoint_update,
    webhook_test,
)
from tests.delivery_engine.engine import emit, later, make_call, run_due
from tests.delivery_engine.receiver import Reply
from webui.selectors.dashboard import endpoint_health


@pytest.fixture
def hook(account, receiver, settings):
    # Retries ten minutes apart: a failed delivery is still backing off when the test looks,
    # however slow the machine (the default's 5 s could pass between a send and a look).
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 600, 600, 600, 600, 600]
    endpoint, secret = webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"],
                                               actor="test", secret_token="token-abcdefgh-1234", timeout_seconds=2)
    return endpoint, secret


def _waits(*deliveries):
    fresh = list(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).select_related("endpoint"))
    return delivery_waits(fresh)


def test_retry_now_sends_a_backing_off_delivery_at_once_and_is_audited(hook, pbx, receiver):
    receiver.replies = [Reply(503)]
    [delivery] = emit(pbx)
    run_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > timezone.now()
    wait = _waits(delivery)[delivery.pk]
    assert wait.reason == "backoff" and wait.next_try_at == delivery.next_attempt_at
    assert "backing off after 1 failed attempt;" in wait.text
    assert run_due() == []  # not due yet

    delivery_retry_now(delivery=delivery, actor="olivia@acme.test")
    assert run_due() == [DeliveryStatus.DELIVERED]
    entry = AuditEntry.objects.get(action="delivery.retried_now")
    assert entry.actor == "olivia@acme.test" and entry.object_id == str(delivery.pk)
    assert entry.changes["next_attempt_at"][0] != entry.changes["next_attempt_at"][1]
    with pytest.raises(Conflict, match="resend it instead"):
        delivery_retry_now(delivery=Delivery.objects.get(pk=delivery.pk), actor="t")


def test_a_delivery_behind_a_failing_one_of_the_same_call_says_so(hook, pbx, receiver):
    receiver.default = Reply(503)
    call = make_call(pbx)
    [first] = emit(pbx, call=call, sequence=1)
    [second] = emit(pbx, call=call, sequence=2)
    run_due()
    first.refresh_from_db()
    waits = _waits(first, second)
    assert waits[first.pk].reason == "backoff"
    behind = waits[second.pk]
    assert behind.reason == "behind" and behind.behind.pk == first.pk
    assert f"#{first.pk}" in behind.text and behind.next_try_at == first.next_attempt_at
    # Retrying the second does not jump the queue: it still waits for the first.
    delivery_retry_now(delivery=second, actor="t")
    assert _waits(second)[second.pk].reason == "behind"


def test_a_disabled_endpoint_holds_its_deliveries_and_says_so(hook, pbx):
    endpoint, _ = hook
    [delivery] = emit(pbx)
    webhook_endpoint_update(endpoint=endpoint, actor="t", enabled=False)
    assert _waits(delivery)[delivery.pk].reason == "disabled"


def test_an_edited_test_payload_is_what_the_receiver_gets_and_the_audit_says_so(hook, receiver):
    endpoint, secret = hook
    payload = {"unique_call_id": "edited-call-42", "user_number": "199"}
    result = webhook_test(endpoint=endpoint, trigger="user_inbound", payload=payload, actor="adam@acme.test")
    sent = json.loads(receiver.requests[0].verify(secret))
    assert "edited-call-42" in json.dumps(sent) and "edited-call-42" in result.request_body
    entry = AuditEntry.objects.get(action="webhook.test_sent")
    assert entry.actor == "adam@acme.test" and "edited payload" in entry.summary and "HTTP 200" in entry.summary
    with pytest.raises(InvalidInput, match="JSON object"):
        webhook_test(endpoint=endpoint, trigger="user_inbound", payload=["not", "an", "object"], actor="t")


def test_a_test_request_resent_goes_out_again_at_once(hook, receiver):
    endpoint, _ = hook
    receiver.replies = [Reply(500)]
    result = webhook_test(endpoint=endpoint, trigger="user_inbound", actor="t")
    again = delivery_redeliver(delivery=Delivery.objects.get(pk=result.delivery_id), actor="t")
    assert again.status == DeliveryStatus.DELIVERED and len(receiver.requests) == 2
    assert Attempt.objects.filter(delivery=again).count() == 2
    assert receiver.requests[0].header("webhook-id") == receiver.requests[1].header("webhook-id")


def test_the_attempt_log_keeps_the_response_headers(hook, pbx, receiver):
    receiver.replies = [Reply(429, b"slow down", headers={"Retry-After": "30", "X-Trace": "rq-77",
                                                          "Set-Cookie": "session=abcdefghijklmnop"})]
    [delivery] = emit(pbx)
    run_due()
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.response_headers["Retry-After"] == "30" and attempt.response_headers["X-Trace"] == "rq-77"
    assert "abcdefghijklmnop" not in attempt.response_headers["Set-Cookie"]


def test_an_update_audits_only_what_changed_with_before_and_after(hook):
    endpoint, _ = hook
    webhook_endpoint_update(endpoint=endpoint, actor="olivia@acme.test", timeout_seconds=2, name="CRM",
                            triggers=["user_inbound", "queue_call"], secret_token="a-new-token-5678")
    entry = AuditEntry.objects.get(action="webhook.updated")
    assert entry.changes == {"name": ["", "CRM"], "triggers": [["user_inbound"], ["user_inbound", "queue_call"]],
                             "secret_token": ["set", "replaced"]}
    assert "a-new-token-5678" not in json.dumps(entry.changes) + entry.summary
    webhook_endpoint_update(endpoint=endpoint, actor="olivia@acme.test", timeout_seconds=2, name="CRM")
    assert AuditEntry.objects.filter(action="webhook.updated").count() == 1  # nothing changed, nothing logged


def test_revealing_the_secret_is_a_logged_read(hook):
    endpoint, secret = hook
    assert [s.secret for s in signing_secrets_reveal(endpoint=endpoint, actor="olivia@acme.test")] == [secret]
    entry = AuditEntry.objects.get(action="webhook.secret_revealed")
    assert entry.actor == "olivia@acme.test" and secret not in entry.summary + json.dumps(entry.changes)


def test_health_counts_are_the_attempt_log_and_a_new_endpoint_has_no_traffic(hook, pbx, receiver, account):
    endpoint, _ = hook
    since = timezone.now() - timedelta(hours=24)
    webhook_test(endpoint=endpoint, trigger="user_inbound", actor="t")  # tests never count
    [health] = endpoint_health(account=account, since=since)
    assert health.state == "no_traffic" and (health.delivered, health.failed, health.pending) == (0, 0, 0)

    receiver.replies = [Reply(503), Reply(503), Reply(503)]
    [delivery] = emit(pbx)
    for hours in (0, 1, 2):  # three failed attempts, the delivery still waiting
        run_due(now=later(hours=hours))
    [health] = endpoint_health(account=account, since=since)
    attempts = Attempt.objects.filter(delivery__endpoint=endpoint, delivery__is_test=False)
    assert health.failed == attempts.exclude(status_code=200).count() == 3
    assert health.state == "failing" and health.pending == 1 and health.delivered == 0
    Attempt.objects.create(delivery=delivery, started_at=timezone.now(), error_class="timeout")  # no status at all
    delivery.refresh_from_db()
    run_due(now=delivery.next_attempt_at)
    [health] = endpoint_health(account=account, since=since)
    assert (health.delivered, health.failed, health.pending, health.state) == (1, 4, 0, "healthy")


def test_a_due_delivery_says_now_and_one_behind_a_due_blocker_gives_no_past_time(hook, pbx):
    call = make_call(pbx)
    [first] = emit(pbx, call=call, sequence=1)
    [second] = emit(pbx, call=call, sequence=2)
    waits = _waits(first, second)
    assert waits[first.pk].reason == "due" and waits[first.pk].next_try_at is None
    assert waits[second.pk].reason == "behind" and waits[second.pk].next_try_at is None
    assert "not tried yet" in waits[second.pk].text
