"""The worker's delivery engine (``engine.py``): one scheduler thread per process for every
endpoint. Endpoints waiting on receivers hold no thread, so more hanging endpoints than a worker
has threads leave the others' deliveries going; per-call order, the attempt log, retries and
two processes sharing endpoints as with the pumps."""
import socket
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from hub.models import Attempt, Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.delivery import engine as engine_module
from hub.services.delivery import webhook_endpoint_create
from hub.services.delivery.engine import Engine
from tests.delivery_engine.engine import emit, make_call
from tests.delivery_engine.receiver import Reply

pytestmark = pytest.mark.django_db(transaction=True)

TRIGGERS = ["user_inbound", "user_inbound_answered", "user_inbound_completed"]


def _endpoint(account, url, **fields):
    return webhook_endpoint_create(account=account, url=url, actor="test", triggers=TRIGGERS + ["agent_status"],
                                   **fields)[0]


def _emit_calls(pbx, calls: int, first: int = 1) -> None:
    for n in range(first, first + calls):
        call = make_call(pbx, f"250301091422_{n}")
        for sequence, trigger in enumerate(TRIGGERS, 1):
            emit(pbx, trigger, call=call, sequence=sequence, unique_call_id=f"250301091422_{n}")


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def _assert_in_order(requests, calls: range) -> None:
    for n in calls:
        bodies = [r.body for r in requests if f'"250301091422_{n}"'.encode() in r.body]
        assert [b"answered" in b for b in bodies] == [False, True, False] and b"completed" in bodies[2], n


@pytest.fixture
def engine():
    running = Engine()
    yield running
    running.stop(timeout=40)


@pytest.fixture
def silent_receiver():
    """Accepts connections (the kernel completes them) and never answers: a hanging endpoint."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_the_engine_sends_every_endpoints_deliveries_in_order_and_logs_each_attempt(
        account, pbx, receiver, other_receiver, engine):
    first, second = _endpoint(account, receiver.url), _endpoint(account, other_receiver.url)
    receiver.default = other_receiver.default = Reply(200, delay=0.02)
    _emit_calls(pbx, 8)

    engine.wake([first.pk, second.pk])
    _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 48)

    assert Attempt.objects.count() == 48
    assert len(receiver.requests) == len(other_receiver.requests) == 24  # each once
    _assert_in_order(receiver.requests, range(1, 9))
    _assert_in_order(other_receiver.requests, range(1, 9))


def test_forty_hanging_endpoints_hold_up_no_other_endpoint(account, pbx, receiver, engine, silent_receiver):
    # More hanging endpoints than a worker has threads (--concurrency 32): with a pump per
    # endpoint they would hold every thread; here they hold sockets.
    hanging = [_endpoint(account, f"{silent_receiver}/hook/{n}", timeout_seconds=30) for n in range(40)]
    healthy = _endpoint(account, receiver.url)
    _emit_calls(pbx, 5)
    engine.wake([e.pk for e in hanging])
    _wait_for(lambda: Delivery.objects.filter(endpoint__in=hanging, status=DeliveryStatus.SENDING).count() >= 40)

    engine.wake([healthy.pk])
    _wait_for(lambda: Delivery.objects.filter(endpoint=healthy, status=DeliveryStatus.DELIVERED).count() == 15)

    # Every healthy delivery went while all the hanging endpoints' requests were still unanswered.
    assert not Attempt.objects.filter(delivery__endpoint__in=hanging).exists()
    assert Delivery.objects.filter(endpoint__in=hanging, status=DeliveryStatus.SENDING).count() >= 40
    _assert_in_order(receiver.requests, range(1, 6))


def test_a_retry_is_recorded_and_its_endpoint_woken_when_it_falls_due(account, pbx, receiver, engine, monkeypatch):
    woken = []
    monkeypatch.setattr(engine_module, "endpoint_wake_at", lambda endpoint_id, at, now: woken.append((endpoint_id, at)))
    endpoint = _endpoint(account, receiver.url)
    receiver.answer = lambda r: Reply(503) if b'"250301091422_1"' in r.body else Reply(200)
    _emit_calls(pbx, 3)

    engine.wake([endpoint.pk])
    _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 6 and woken)

    held = Delivery.objects.filter(call__unique_call_id="250301091422_1").order_by("sequence")
    assert [d.status for d in held] == [DeliveryStatus.PENDING] * 3 and held[0].attempt_count == 1
    assert woken == [(endpoint.pk, held[0].next_attempt_at)]


def test_a_410_disables_the_endpoint_and_the_engine_claims_no_more_of_it(account, pbx, receiver, engine):
    endpoint = _endpoint(account, receiver.url, max_concurrency=1)
    for _ in range(3):
        emit(pbx, "agent_status")
    receiver.replies = [Reply(410)]

    engine.wake([endpoint.pk])
    _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1)
    engine.wake([endpoint.pk])
    engine.stop()

    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2 and len(receiver.requests) == 1


def test_two_engines_sharing_endpoints_send_each_delivery_once_in_order(account, pbx, receiver, other_receiver):
    # Two worker processes, as far as the database can tell: each engine has its own thread
    # and connection, and both are woken for both endpoints again and again.
    endpoints = [_endpoint(account, receiver.url), _endpoint(account, other_receiver.url)]
    receiver.default = other_receiver.default = Reply(200, delay=0.01)
    engines = [Engine(), Engine()]
    try:
        def emit_and_close():
            try:
                _emit_calls(pbx, 20)
            finally:
                connection.close()  # this thread's own connection
        emitter = threading.Thread(target=emit_and_close)
        emitter.start()
        while emitter.is_alive():
            for running in engines:
                running.wake([e.pk for e in endpoints])
            time.sleep(0.01)
        emitter.join()
        for running in engines:
            running.wake([e.pk for e in endpoints])
        _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 120)
    finally:
        for running in engines:
            running.stop()
    for server in (receiver, other_receiver):
        ids = Counter(r.header("webhook-id") for r in server.requests)
        assert len(ids) == 60 and set(ids.values()) == {1}  # every delivery sent, none twice
        _assert_in_order(server.requests, range(1, 21))
    assert Attempt.objects.count() == 120


def test_stop_waits_for_the_requests_in_flight_to_be_recorded(account, pbx, receiver, engine):
    endpoint = _endpoint(account, receiver.url)
    receiver.default = Reply(200, delay=0.5)
    for _ in range(3):
        emit(pbx, "agent_status")
    engine.wake([endpoint.pk])
    _wait_for(lambda: len(receiver.requests) == 3)

    engine.stop()

    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 3
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).last_success_at is not None


def test_no_more_than_its_room_in_flight_the_rest_waits_pending_and_goes_as_answers_come(account, pbx, receiver):
    busy = Engine(max_in_flight=3)
    endpoints = [_endpoint(account, f"{receiver.url}/a"), _endpoint(account, f"{receiver.url}/b")]
    receiver.default = Reply(200, delay=0.1)
    for _ in range(6):
        emit(pbx, "agent_status")  # to both endpoints: 12 deliveries, none held by a call's order
    try:
        busy.wake([e.pk for e in endpoints])
        _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 12)
    finally:
        busy.stop()
    assert 1 <= receiver.max_active <= 3  # both endpoints together, never more than the engine's room
    assert Counter(r.path for r in receiver.requests) == {"/a": 6, "/b": 6}
