"""After an attempt, only the deliveries it held up are enqueued: its call's next event and one
delivery for the concurrency slot it freed (not every free slot's worth, again and again)."""
import pytest

from hub.models import DeliveryStatus
from hub.services.delivery import attempt, delivery_attempt, webhook_endpoint_create
from tests.delivery_engine.engine import emit, make_call, run_due
from tests.delivery_engine.receiver import Reply

pytestmark = pytest.mark.django_db

TRIGGERS = ["user_inbound", "user_inbound_answered"]


@pytest.fixture
def woken(monkeypatch):
    enqueued: list[list[int]] = []
    monkeypatch.setattr(attempt, "deliveries_enqueue", lambda ids: enqueued.append(list(ids)))
    return enqueued


def _endpoint(account, url, **fields):
    return webhook_endpoint_create(account=account, url=url, actor="test", triggers=TRIGGERS, **fields)[0]


def _calls(pbx, count):
    return [make_call(pbx, f"250301091422_{n}") for n in range(1, count + 1)]


def test_an_attempt_wakes_its_calls_next_event_and_one_more(account, pbx, receiver, woken):
    _endpoint(account, receiver.url, max_concurrency=8)
    first_call, *others = _calls(pbx, 4)
    [first] = emit(pbx, "user_inbound", call=first_call, sequence=1)
    [second] = emit(pbx, "user_inbound_answered", call=first_call, sequence=2)
    waiting = [emit(pbx, "user_inbound", call=call, sequence=1)[0] for call in others]
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.DELIVERED
    assert woken == [[second.pk, waiting[0].pk]]  # not all three free slots' worth


def test_a_retry_later_wakes_only_another_call(account, pbx, receiver, woken):
    _endpoint(account, receiver.url, max_concurrency=8)
    first_call, other_call = _calls(pbx, 2)
    [first] = emit(pbx, "user_inbound", call=first_call, sequence=1)
    emit(pbx, "user_inbound_answered", call=first_call, sequence=2)
    [other] = emit(pbx, "user_inbound", call=other_call, sequence=1)
    receiver.replies = [Reply(503)]
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.PENDING
    assert woken == [[other.pk]]  # the call's next event still waits for the retry


def test_nothing_is_woken_for_a_disabled_endpoint(account, pbx, receiver, woken):
    endpoint = _endpoint(account, receiver.url)
    [first, second] = [emit(pbx, "user_inbound")[0] for _ in range(2)]
    receiver.replies = [Reply(410)]  # gone: the endpoint is disabled
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.FAILED
    endpoint.refresh_from_db()
    assert not endpoint.enabled and woken == [[]]


def test_deliveries_refused_for_a_full_endpoint_all_go_one_wakeup_at_a_time(account, pbx, receiver, woken):
    _endpoint(account, receiver.url, max_concurrency=1)
    emitted = [emit(pbx, "user_inbound", call=call, sequence=1)[0] for call in _calls(pbx, 5)]
    pending = [emitted[0].pk]
    while pending:  # what the worker does: run each woken task, and nothing else
        delivery_attempt(delivery_id=pending.pop(0))
        pending += woken.pop() if woken else []
    assert len(receiver.requests) == 5
    assert run_due() == []
