"""Admin actions: redeliver, recover, rotate, test request; the sweeper; pruning; the audit log."""
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from hub.errors import InvalidInput
from hub.models import Attempt, AuditEntry, Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.delivery import (
    attempts_prune, deliveries_recover, deliveries_sweep, delivery_redeliver, signing_secret_rotate,
    webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_update, webhook_test,
)
from hub.services.delivery.claim import delivery_claim
from tests.delivery_engine.engine import emit, later, make_call, run_due
from tests.delivery_engine.receiver import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(account, receiver):
    return webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"], actor="test",
                                   secret_token="token-abcdefgh-1234", timeout_seconds=2)


def test_redeliver_sends_a_failed_or_delivered_delivery_again(hook, pbx, receiver):
    receiver.replies = [Reply(400)]
    [delivery] = emit(pbx)
    run_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    delivery_redeliver(delivery=delivery, actor="olivia@acme.test")
    assert run_due() == [DeliveryStatus.DELIVERED]
    delivery_redeliver(delivery=Delivery.objects.get(pk=delivery.pk), actor="olivia@acme.test")
    assert run_due() == [DeliveryStatus.DELIVERED]
    assert [r.header("webhook-id") for r in receiver.requests] == [delivery.message_id] * 3
    entries = AuditEntry.objects.filter(action="delivery.resent", object_id=str(delivery.pk)).order_by("id")
    assert [e.changes["status"] for e in entries] == [["failed", "pending"], ["delivered", "pending"]]
    assert {e.actor for e in entries} == {"olivia@acme.test"}


def test_recover_sends_again_every_failed_delivery_since_a_time(hook, pbx, receiver):
    endpoint, _ = hook
    receiver.default = Reply(404)
    since = timezone.now()
    call = make_call(pbx)
    for n in (1, 2, 3):
        emit(pbx, call=call, sequence=n)
    run_due()
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 3
    receiver.default = Reply(200)
    assert deliveries_recover(endpoint=endpoint, since=since + timedelta(hours=1)) == 0
    assert deliveries_recover(endpoint=endpoint, since=since) == 3
    assert run_due() == [DeliveryStatus.DELIVERED] * 3
    ids = [r.header("webhook-id") for r in receiver.requests[3:]]
    assert ids == [r.header("webhook-id") for r in receiver.requests[:3]]  # same order, same ids


def test_after_rotation_both_secrets_sign_for_24_hours_then_only_the_new(hook, pbx, receiver):
    endpoint, old = hook
    rotated_at = timezone.now()
    new = signing_secret_rotate(endpoint=endpoint, actor="test", now=rotated_at)
    emit(pbx)
    run_due(now=rotated_at + timedelta(hours=23))
    receiver.requests[0].verify(old)
    receiver.requests[0].verify(new)

    emit(pbx)
    run_due(now=rotated_at + timedelta(hours=25))
    receiver.requests[1].verify(new)
    with pytest.raises(WebhookVerificationError):
        receiver.requests[1].verify(old)
    assert AuditEntry.objects.filter(action="webhook.secret_rotated").count() == 1


def test_test_request_answers_synchronously_and_is_never_retried(hook, receiver):
    endpoint, secret = hook
    receiver.replies = [Reply(500, b"receiver says no")]
    result = webhook_test(endpoint=endpoint, trigger="queue_call")
    assert result.status_code == 500 and not result.delivered
    assert result.response_body == "receiver says no" and result.latency_ms >= 0
    assert result.request_headers["X-Pbx-Token"] != "token-abcdefgh-1234"
    assert result.request_headers["webhook-id"] == result.message_id
    receiver.requests[0].verify(secret)
    assert receiver.requests[0].header("X-Pbx-Token") == "token-abcdefgh-1234"
    delivery = Delivery.objects.get(pk=result.delivery_id)
    assert delivery.is_test and delivery.status == DeliveryStatus.FAILED
    assert Attempt.objects.filter(delivery=delivery).count() == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0  # a test does not count against the endpoint
    assert run_due(now=later(hours=1)) == []


def test_test_request_through_the_ssrf_guard(account, settings):
    endpoint, _ = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/", triggers=[], actor="t")
    # Saved while allowed (a private address is refused at save), then the operator took it back.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = []
    result = webhook_test(endpoint=endpoint, trigger="user_inbound")
    assert result.error_class == "ssrf_refused" and result.status_code is None


def test_test_request_of_a_trigger_the_dialect_cannot_send(account, receiver):
    endpoint, _ = webhook_endpoint_create(account=account, url=receiver.url, triggers=[], actor="t",
                                          dialect="3cx-plugin-get")
    # The plugin has no message for a keypress (voicemail became one: the plugin's recording message).
    with pytest.raises(InvalidInput, match="call_dtmf"):
        webhook_test(endpoint=endpoint, trigger="call_dtmf")


def test_sweeper_takes_back_a_delivery_whose_worker_died(hook, pbx, receiver, settings):
    settings.WEBHOOK_STUCK_MARGIN_SECONDS = 10
    [delivery] = emit(pbx)
    assert delivery_claim(delivery_id=delivery.pk, now=timezone.now()) is not None  # then the worker dies
    assert deliveries_sweep(now=later(seconds=5)).recovered == 0
    assert deliveries_sweep(now=later(seconds=15)).recovered == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert Attempt.objects.get(delivery=delivery).error_class == "interrupted"
    assert run_due(now=later(seconds=15)) == [DeliveryStatus.DELIVERED]


def test_sweeper_wakes_each_enabled_endpoint_with_due_deliveries_once(account, pbx, receiver, monkeypatch):
    from hub.services.delivery import sweep
    busy, _ = webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"], actor="t")
    idle, _ = webhook_endpoint_create(account=account, url=receiver.url, triggers=["agent_status"], actor="t")
    off, _ = webhook_endpoint_create(account=account, url=receiver.url, triggers=["user_inbound"], actor="t")
    woken = []
    monkeypatch.setattr(sweep, "endpoints_wake", lambda ids: woken.extend(ids))
    for _ in range(3):
        emit(pbx)
    WebhookEndpoint.objects.filter(pk=off.pk).update(enabled=False)
    assert deliveries_sweep().enqueued == 1
    assert woken == [busy.pk]  # one pump per endpoint, whatever its backlog; none for the idle or the disabled
    assert idle.pk not in woken


def test_prune_drops_old_attempts_in_batches(hook, pbx, receiver, settings):
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 30
    [delivery] = emit(pbx)
    run_due()
    old = timezone.now() - timedelta(days=31)
    Attempt.objects.bulk_create([Attempt(delivery=delivery, started_at=old) for _ in range(7)])
    assert attempts_prune(batch_size=3) == 7
    assert Attempt.objects.count() == 1


def test_endpoint_changes_are_audited_without_secrets(hook):
    endpoint, _ = hook
    webhook_endpoint_update(endpoint=endpoint, actor="key abc", secret_token="new-token-value-123")
    webhook_endpoint_delete(endpoint=endpoint, actor="key abc")
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "summary"))
    assert [a for a, _ in entries] == ["webhook.created", "webhook.updated", "webhook.deleted"]
    assert "new-token-value-123" not in str(entries) and "secret_token" in entries[1][1]


def test_unknown_trigger_is_refused_by_name(account):
    with pytest.raises(InvalidInput, match="no_such_trigger"):
        webhook_endpoint_create(account=account, url="https://example.com", triggers=["no_such_trigger"],
                                actor="t")
