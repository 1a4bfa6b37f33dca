"""An endpoint's pump: batches of claims, requests in parallel up to max_concurrency, per-call
order, outcomes recorded in bulk, pokes instead of duplicate pumps, slices, and a dead
endpoint that holds up nobody else."""
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.models import Attempt, Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.delivery import (
    attempt, delivery_attempt, endpoint_pump, endpoints_pump, pump, webhook_endpoint_create,
)
from hub.services.delivery.claim import deliveries_claim
from hub.services.delivery.outcome import Sent, outcomes_record
from integrations.delivery import SendResult
from tests.delivery_engine.engine import emit, make_call, run_due
from tests.delivery_engine.receiver import Reply

TRIGGERS = ["user_inbound", "user_inbound_answered", "user_inbound_completed"]


def _endpoint(account, url, **fields):
    return webhook_endpoint_create(account=account, url=url, actor="test", triggers=TRIGGERS + ["agent_status"],
                                   **fields)[0]


def _emit_calls(pbx, calls: int) -> None:
    for n in range(1, calls + 1):
        call = make_call(pbx, f"250301091422_{n}")
        for sequence, trigger in enumerate(TRIGGERS, 1):
            emit(pbx, trigger, call=call, sequence=sequence, unique_call_id=f"250301091422_{n}")


def _in_thread(target, results: list):
    def run():
        try:
            results.append(target())
        finally:
            connection.close()  # this thread's own connection
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db
def test_a_pump_sends_in_parallel_up_to_max_concurrency_and_keeps_each_calls_order(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=4)
    receiver.default = Reply(200, delay=0.05)
    _emit_calls(pbx, 6)

    result = endpoint_pump(endpoint_id=endpoint.pk)

    assert result.outcomes == {DeliveryStatus.DELIVERED: 18}
    assert 2 <= receiver.max_active <= 4  # in parallel, never more than the endpoint allows
    assert Attempt.objects.count() == 18 and not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
    for n in range(1, 7):
        bodies = [r.body for r in receiver.requests if f"250301091422_{n}".encode() in r.body]
        assert [b"answered" in b for b in bodies] == [False, True, False]
        assert b"completed" in bodies[2]


@pytest.mark.django_db
def test_a_retry_holds_its_calls_next_event_but_not_the_other_calls(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=4)
    receiver.answer = lambda r: Reply(503) if b"250301091422_1" in r.body else Reply(200)
    _emit_calls(pbx, 3)

    result = endpoint_pump(endpoint_id=endpoint.pk)

    assert result.outcomes == {DeliveryStatus.DELIVERED: 6, DeliveryStatus.PENDING: 1}
    held = Delivery.objects.filter(call__unique_call_id="250301091422_1").order_by("sequence")
    assert [d.status for d in held] == [DeliveryStatus.PENDING] * 3 and held[0].attempt_count == 1


@pytest.mark.django_db
def test_a_410_disables_the_endpoint_and_stops_its_pump(account, pbx, receiver, monkeypatch):
    woken = []
    monkeypatch.setattr(pump, "endpoints_wake", woken.extend)
    endpoint = _endpoint(account, receiver.url, max_concurrency=1)
    for _ in range(3):
        emit(pbx, "agent_status")
    receiver.replies = [Reply(410)]

    assert endpoint_pump(endpoint_id=endpoint.pk).outcomes == {DeliveryStatus.FAILED: 1}
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2 and woken == []
    assert endpoint_pump(endpoint_id=endpoint.pk).sent == 0  # a disabled endpoint sends nothing


@pytest.mark.django_db
def test_a_pump_with_a_backlog_hands_its_worker_back_after_its_slice(account, pbx, receiver, monkeypatch):
    woken = []
    monkeypatch.setattr(pump, "endpoints_wake", woken.extend)
    endpoint = _endpoint(account, receiver.url, max_concurrency=2)
    for _ in range(10):
        emit(pbx, "agent_status")

    first = endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=0.001)

    assert 1 <= first.sent < 10
    assert woken == [endpoint.pk]  # queued again, behind the other endpoints' tasks
    assert len(run_due()) == 10 - first.sent
    assert len(receiver.requests) == 10


@pytest.mark.django_db
def test_a_single_attempt_wakes_its_endpoints_pump(account, pbx, receiver, monkeypatch):
    woken = []
    monkeypatch.setattr(attempt, "endpoints_wake", woken.extend)
    endpoint = _endpoint(account, receiver.url)
    call = make_call(pbx)
    [first] = emit(pbx, "user_inbound", call=call, sequence=1)
    emit(pbx, "user_inbound_answered", call=call, sequence=2)
    assert delivery_attempt(delivery_id=first.pk) == DeliveryStatus.DELIVERED
    assert woken == [endpoint.pk]  # the call's next event may go now


@pytest.mark.django_db
@pytest.mark.parametrize("status, moved_to", [(200, DeliveryStatus.DELIVERED), (503, DeliveryStatus.PENDING),
                                              (404, DeliveryStatus.FAILED)])
def test_claims_and_recordings_cost_the_same_statements_for_2_or_20_deliveries(account, pbx, receiver, status,
                                                                              moved_to):
    endpoint = _endpoint(account, receiver.url, max_concurrency=40)
    for _ in range(35):
        emit(pbx, "agent_status")
    answer = SendResult(status, 3, response_body="answer")
    # Attempts go through COPY from 8 rows on PostgreSQL (not a statement Django counts), so
    # sizes are compared on either side of that line.
    for sizes in ((2, 5), (8, 20)):
        counts = []
        for size in sizes:
            now = timezone.now()
            with CaptureQueriesContext(connection) as claiming:
                claimed = deliveries_claim(endpoint_id=endpoint.pk, now=now, limit=size)
            with CaptureQueriesContext(connection) as recording:
                outcomes_record(sent=[Sent(d, answer, now) for d in claimed], now=now)
            assert len(claimed) == size
            counts.append((len(claiming), len(recording)))
        assert counts[0] == counts[1]
    assert Delivery.objects.filter(status=moved_to, attempt_count=1).count() == 35
    assert Attempt.objects.filter(status_code=status).count() == 35
    if moved_to == DeliveryStatus.PENDING:  # each failure keeps its own next attempt and error
        assert not Delivery.objects.filter(next_attempt_at__isnull=True).exists()
        assert set(Delivery.objects.values_list("last_error", flat=True)) == {"HTTP 503"}
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == (0 if status == 200 else 35)


def _two_claimed_and_one_taken_back(account, pbx, receiver):
    """Two deliveries of one endpoint claimed at ``now``; the sweeper then hands the second back."""
    endpoint = _endpoint(account, receiver.url)
    for _ in range(2):
        emit(pbx, "agent_status")
    now = timezone.now()
    kept, taken = deliveries_claim(endpoint_id=endpoint.pk, now=now)
    Delivery.objects.filter(pk=taken.pk).update(status=DeliveryStatus.PENDING, claimed_at=None)  # the sweeper
    return endpoint, kept, taken, now


@pytest.mark.django_db
def test_a_failure_whose_claim_the_sweeper_took_back_is_logged_but_left_as_the_sweeper_set_it(account, pbx,
                                                                                             receiver):
    endpoint, kept, taken, now = _two_claimed_and_one_taken_back(account, pbx, receiver)

    outcomes_record(sent=[Sent(d, SendResult(503, 3), now) for d in (kept, taken)], now=now)

    assert Attempt.objects.count() == 2
    assert Delivery.objects.get(pk=kept.pk).attempt_count == 1
    assert Delivery.objects.get(pk=taken.pk).attempt_count == 0
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 1


@pytest.mark.django_db
def test_health_follows_the_order_in_which_a_batchs_attempts_finished(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=10)
    for _ in range(5):
        emit(pbx, "agent_status")
    ok, down = SendResult(200, 3), SendResult(503, 3)
    now = timezone.now()

    first = deliveries_claim(endpoint_id=endpoint.pk, now=now, limit=3)
    outcomes_record(sent=[Sent(first[0], ok, now), Sent(first[1], down, now), Sent(first[2], down, now)], now=now)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2 and endpoint.last_success_at == now
    assert endpoint.failing_since == now and endpoint.last_failure_reason == "HTTP 503"

    second = deliveries_claim(endpoint_id=endpoint.pk, now=now, limit=2)
    outcomes_record(sent=[Sent(second[0], down, now), Sent(second[1], ok, now)], now=now)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None
    assert endpoint.last_failure_at == now


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_for_a_running_pump_only_pokes_it(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=4)
    receiver.default = Reply(200, delay=0.3)
    emit(pbx, "agent_status")
    results = []
    thread = _in_thread(lambda: endpoint_pump(endpoint_id=endpoint.pk), results)
    while not receiver.requests:
        threading.Event().wait(0.01)
    with transaction.atomic():  # committed while the first request is in flight
        emit(pbx, "agent_status")

    assert endpoint_pump(endpoint_id=endpoint.pk).poked  # the running pump takes it
    thread.join(timeout=30)
    assert results[0].outcomes == {DeliveryStatus.DELIVERED: 2} and len(receiver.requests) == 2


@pytest.mark.django_db(transaction=True)
def test_a_hanging_endpoint_does_not_hold_up_another(account, pbx, receiver, other_receiver):
    dead = _endpoint(account, receiver.url, max_concurrency=2, timeout_seconds=3)
    healthy = _endpoint(account, other_receiver.url, max_concurrency=2)
    receiver.default = Reply(200, delay=5)  # answers after the hub gave up
    for _ in range(6):
        emit(pbx, "agent_status")
    dead_results, healthy_results = [], []
    dead_thread = _in_thread(lambda: endpoint_pump(endpoint_id=dead.pk), dead_results)
    while len(receiver.requests) < 2:
        threading.Event().wait(0.01)

    healthy_thread = _in_thread(lambda: endpoint_pump(endpoint_id=healthy.pk), healthy_results)
    healthy_thread.join(timeout=30)

    assert healthy_results[0].outcomes == {DeliveryStatus.DELIVERED: 6}
    assert dead_thread.is_alive()  # still waiting on its first two requests
    assert Delivery.objects.filter(endpoint=dead, status=DeliveryStatus.SENDING).count() == 2
    WebhookEndpoint.objects.filter(pk=dead.pk).update(enabled=False)  # let its pump end soon
    dead_thread.join(timeout=30)
    assert dead_results[0].outcomes == {DeliveryStatus.PENDING: 2}  # timed out: retried later


@pytest.mark.django_db
def test_a_response_body_with_nul_bytes_is_logged_not_a_crash(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url)
    emit(pbx, "agent_status")
    receiver.default = Reply(200, body=b"ok\x00then")  # PostgreSQL text cannot store NUL

    assert endpoint_pump(endpoint_id=endpoint.pk).outcomes == {DeliveryStatus.DELIVERED: 1}
    assert Attempt.objects.get().response_body == "ok\ufffdthen"


@pytest.mark.django_db(transaction=True)
def test_an_idle_pump_waits_a_moment_for_more_work_before_it_stops(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url)
    emit(pbx, "agent_status")
    results = []
    thread = _in_thread(lambda: endpoint_pump(endpoint_id=endpoint.pk, idle_seconds=5), results)
    while not Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists():
        threading.Event().wait(0.01)
    with transaction.atomic():  # after the pump found nothing more to do
        emit(pbx, "agent_status")

    assert endpoint_pump(endpoint_id=endpoint.pk).poked  # it is still there, waiting
    thread.join(timeout=30)
    assert not thread.is_alive()  # after its second idle wait it stopped
    assert results[0].outcomes == {DeliveryStatus.DELIVERED: 2}


@pytest.mark.django_db
def test_a_shared_wake_up_pokes_the_running_pump_runs_one_here_and_hands_on_the_rest(account, pbx, receiver,
                                                                                     monkeypatch):
    running, here, elsewhere = (_endpoint(account, receiver.url) for _ in range(3))
    handed_on = []
    monkeypatch.setattr(pump, "endpoints_wake", lambda ids, each=False: handed_on.append((sorted(ids), each)))
    emit(pbx, "agent_status")  # a delivery for each of the three
    running_pump = pump.REGISTRY.enter(running.pk)  # as if another worker thread were pumping it
    try:
        result = endpoints_pump(endpoint_ids=[running.pk, here.pk, elsewhere.pk])
    finally:
        pump.REGISTRY.forget(running.pk, running_pump)

    assert running_pump.poked  # the running pump is told, not doubled
    assert result.outcomes == {DeliveryStatus.DELIVERED: 1} and len(receiver.requests) == 1  # ``here``'s
    assert handed_on == [([elsewhere.pk], True)]  # a task of its own
    assert set(Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list("endpoint_id", flat=True)) \
        == {running.pk, elsewhere.pk}


def test_a_wake_up_for_several_endpoints_is_one_message(monkeypatch):
    from celery import current_app

    from hub.services.delivery import enqueue
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args, **options: sent.append((name, args)))

    enqueue.endpoints_wake({7, 3, 5})
    enqueue.endpoints_wake([4])
    enqueue.endpoints_wake([9, 8], each=True)

    assert sent == [("hub.deliver_endpoints", [[3, 5, 7]]), ("hub.deliver_endpoint", [4]),
                    ("hub.deliver_endpoint", [8]), ("hub.deliver_endpoint", [9])]


@pytest.mark.django_db
def test_a_success_whose_claim_the_sweeper_took_back_is_logged_but_left_as_the_sweeper_set_it(account, pbx,
                                                                                              receiver):
    _, kept, taken, now = _two_claimed_and_one_taken_back(account, pbx, receiver)

    outcomes_record(sent=[Sent(d, SendResult(200, 3), now) for d in (kept, taken)], now=now)

    assert Attempt.objects.count() == 2
    moved = Delivery.objects.get(pk=kept.pk)
    assert (moved.status, moved.attempt_count, moved.delivered_at, moved.next_attempt_at, moved.last_error) == \
        (DeliveryStatus.DELIVERED, 1, now, None, "")
    left = Delivery.objects.get(pk=taken.pk)
    assert (left.status, left.attempt_count, left.delivered_at) == (DeliveryStatus.PENDING, 0, None)
