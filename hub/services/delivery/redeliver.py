"""An admin sends deliveries again: resend one (delivered or failed), retry a waiting one now, or
recover all of an endpoint's failed ones since a time. Each is in the audit log.

A resend keeps the webhook-id (receivers that deduplicate on it see the same message, as
Standard Webhooks intends for a retry) and starts a fresh retry schedule; the attempt log keeps
every earlier try. A resent delivery of a call queues behind nothing new: it takes its old
place in its call's order, so the call's later deliveries wait for it, as they did the first time.
"""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hub.errors import Conflict
from hub.models import Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.audit import audit_record
from hub.services.delivery.attempt import delivery_send
from hub.services.delivery.enqueue import endpoints_wake_on_commit

_AGAIN = {"status": DeliveryStatus.PENDING, "attempt_count": 0, "last_error": "", "claimed_at": None,
          "delivered_at": None}
SETTLED = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def _audit(delivery: Delivery, *, action: str, actor: str, user, summary: str, changes: dict) -> None:
    audit_record(account_id=delivery.account_id, actor=actor, user=user, action=action, obj=delivery,
                 summary=summary, changes=changes)


def delivery_redeliver(*, delivery: Delivery, actor: str = "", user=None, now: datetime | None = None) -> Delivery:
    """Send a settled delivery (delivered or failed) again. A test request goes out again at
    once, as tests do; any other queues for its endpoint's next round."""
    now = now or timezone.now()
    before = delivery.status
    if delivery.is_test:
        return _test_resend(delivery=delivery, actor=actor, user=user, now=now)
    with transaction.atomic():
        again = Delivery.objects.filter(pk=delivery.pk, status__in=SETTLED).update(**_AGAIN, next_attempt_at=now)
        if not again:
            raise Conflict("this delivery is still waiting to be sent: use Retry now to try it at once"
                           if delivery.status == DeliveryStatus.PENDING else "this delivery is being sent right now")
        _audit(delivery, action="delivery.resent", actor=actor, user=user,
               summary=f"resent {delivery.trigger} delivery {delivery.message_id} to {delivery.url}",
               changes={"status": [before, DeliveryStatus.PENDING.value]})
        endpoints_wake_on_commit([delivery.endpoint_id])
    delivery.refresh_from_db()
    return delivery


def _test_resend(*, delivery: Delivery, actor: str, user, now: datetime) -> Delivery:
    # Tests are never queued (the pumps skip them): claim the row for this request and send it.
    before = delivery.status
    if not Delivery.objects.filter(pk=delivery.pk, status__in=SETTLED).update(
            status=DeliveryStatus.SENDING, claimed_at=now, delivered_at=None):
        raise Conflict("this test request is being sent right now")
    delivery.refresh_from_db()
    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    delivery_send(delivery=delivery, endpoint=endpoint)
    delivery.refresh_from_db()
    _audit(delivery, action="delivery.resent", actor=actor, user=user,
           summary=f"resent test {delivery.trigger} request {delivery.message_id} to {delivery.url}",
           changes={"status": [before, delivery.status]})
    return delivery


@transaction.atomic
def delivery_retry_now(*, delivery: Delivery, actor: str = "", user=None, now: datetime | None = None) -> Delivery:
    """A pending delivery waiting for its next attempt becomes due now. It still keeps its
    call's order and waits for an enabled endpoint: the caller shows what it waits for."""
    now = now or timezone.now()
    if not Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(next_attempt_at=now):
        raise Conflict(f"only a waiting delivery can be retried now (this one is {delivery.status})"
                       + ("; resend it instead" if delivery.status in SETTLED else ""))
    _audit(delivery, action="delivery.retried_now", actor=actor, user=user,
           summary=f"asked for {delivery.trigger} delivery {delivery.message_id} to be tried now",
           changes={"next_attempt_at": [delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
                                        now.isoformat()]})
    endpoints_wake_on_commit([delivery.endpoint_id])
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_recover(*, endpoint: WebhookEndpoint, since: datetime, actor: str = "", user=None,
                       now: datetime | None = None) -> int:
    """Every failed delivery of ``endpoint`` created since ``since`` goes out again, in order."""
    now = now or timezone.now()
    count = (Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.FAILED, is_test=False,
                                     created_at__gte=since)
             .update(**_AGAIN, next_attempt_at=now))
    if count:
        audit_record(account_id=endpoint.account_id, actor=actor, user=user, action="webhook.deliveries_recovered",
                     obj=endpoint, object_type="webhook",
                     summary=f"sent again {count} failed deliver{'y' if count == 1 else 'ies'} created since "
                             f"{since.isoformat(timespec='minutes')}")
        endpoints_wake_on_commit([endpoint.pk])
    return count
