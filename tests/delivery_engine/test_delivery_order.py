"""Per-call order to each endpoint; other calls and other endpoints never wait; max concurrency."""
import pytest

from hub.models import Delivery, DeliveryStatus
from hub.services.delivery import delivery_attempt, webhook_endpoint_create
from hub.services.delivery.claim import delivery_claim
from tests.delivery_engine.engine import emit, later, make_call, run_due
from tests.delivery_engine.receiver import Reply

pytestmark = pytest.mark.django_db


def _endpoint(account, url, **fields):
    return webhook_endpoint_create(account=account, url=url, actor="test",
                                   triggers=["user_inbound", "user_inbound_answered", "user_inbound_completed"],
                                   **fields)[0]


def _ids(deliveries):
    return [d.pk for d in deliveries]


def test_events_of_one_call_wait_for_the_earlier_one_while_other_calls_go(account, pbx, receiver):
    _endpoint(account, receiver.url)
    slow_call, other_call = make_call(pbx, "250301091422_1"), make_call(pbx, "250301091422_2")
    [first] = emit(pbx, "user_inbound", call=slow_call, sequence=1, unique_call_id="250301091422_1")
    [second] = emit(pbx, "user_inbound_answered", call=slow_call, sequence=2, unique_call_id="250301091422_1")
    [other] = emit(pbx, "user_inbound", call=other_call, sequence=1, unique_call_id="250301091422_2")
    receiver.answer = lambda r: Reply(500) if b"250301091422_1" in r.body else Reply(200)

    assert delivery_attempt(delivery_id=second.pk) is None  # its call's first is still open
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.PENDING  # 500: retry later
    assert delivery_attempt(delivery_id=second.pk) is None  # still waits for the retry
    assert delivery_attempt(delivery_id=other.pk) == DeliveryStatus.DELIVERED  # another call: no wait

    receiver.answer = None
    assert run_due(now=later(seconds=7)) == [DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED]
    bodies = [r.body for r in receiver.requests if b"250301091422_1" in r.body]
    assert [b"user_inbound_answered" in b for b in bodies] == [False, False, True]


def test_a_failed_delivery_releases_the_next_of_its_call(account, pbx, receiver):
    _endpoint(account, receiver.url)
    call = make_call(pbx)
    [first] = emit(pbx, "user_inbound", call=call, sequence=1)
    [second] = emit(pbx, "user_inbound_answered", call=call, sequence=2)
    receiver.replies = [Reply(400)]
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.FAILED
    assert delivery_attempt(delivery_id=second.pk) == DeliveryStatus.DELIVERED


def test_a_dead_endpoint_does_not_hold_up_another(account, pbx, receiver, other_receiver):
    _endpoint(account, receiver.url)
    _endpoint(account, other_receiver.url)
    receiver.default = Reply(503)
    call = make_call(pbx)
    emitted = [emit(pbx, t, call=call, sequence=n) for n, t in
               enumerate(["user_inbound", "user_inbound_answered", "user_inbound_completed"], 1)]
    run_due()
    assert len(other_receiver.requests) == 3
    assert [r.body.count(b"completed") for r in other_receiver.requests] == [0, 0, 1]
    assert len(receiver.requests) == 1  # the dead one got only the call's first event so far
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 3
    assert len(emitted) == 3


def test_no_more_than_max_concurrency_are_sending_at_once(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=2)
    deliveries = [emit(pbx)[0] for _ in range(3)]
    now = later(seconds=0)
    assert delivery_claim(delivery_id=deliveries[0].pk, now=now) is not None
    assert delivery_claim(delivery_id=deliveries[1].pk, now=now) is not None
    assert delivery_claim(delivery_id=deliveries[2].pk, now=now) is None
    assert delivery_claim(delivery_id=deliveries[0].pk, now=now) is None  # claimed once only
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.SENDING).count() == 2


def test_deliveries_without_a_call_are_not_ordered(account, pbx, receiver):
    webhook_endpoint_create(account=account, url=receiver.url, actor="t", triggers=["agent_status"])
    first, second = emit(pbx, "agent_status")[0], emit(pbx, "agent_status")[0]
    receiver.replies = [Reply(500)]
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.PENDING
    assert delivery_attempt(delivery_id=second.pk) == DeliveryStatus.DELIVERED
