"""A real worker SIGKILLed mid-delivery, and a real Redis restarted mid-run: nothing is lost.

The test process plays ingest (deliveries written in a transaction, enqueued on commit) and
beat (it calls the sweeper every half second); the worker is a real `celery worker` process
on a private redis-server. Every event must reach the receiver at least once, repeats must
carry the same webhook-id and body, and each call's events must arrive in order.
"""
import os
import signal
import time
from collections import defaultdict

import pytest
from django.db import transaction

from hub.models import Delivery, DeliveryStatus
from hub.services.delivery import deliveries_create, deliveries_sweep, webhook_endpoint_create
from tests.delivery_engine.engine import make_call, make_event
from tests.delivery_engine.processes import publisher, worker_database_url
from tests.delivery_engine.receiver import Reply
from tests.processes import celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TRIGGERS = ["user_inbound", "user_inbound_answered", "user_inbound_completed"]


@pytest.fixture
def hub_env(redis_server, settings):
    settings.WEBHOOK_STUCK_MARGIN_SECONDS = 1  # the sweeper (this process) takes back a dead claim soon
    with publisher(redis_server.url):
        yield {"DATABASE_URL": worker_database_url(), "WEBHOOK_STUCK_MARGIN_SECONDS": "1"}


def _emit_calls(pbx, first: int, count: int) -> None:
    for n in range(first, first + count):
        uid = f"250301091422_{n}"
        call = make_call(pbx, uid)
        for sequence, trigger in enumerate(TRIGGERS, 1):
            with transaction.atomic():  # one ingest transaction per event, enqueued on commit
                deliveries_create(events=[make_event(pbx, trigger, call=call, sequence=sequence,
                                                     unique_call_id=uid)])


def _wait_all_delivered(expected: int, worker_log, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries_sweep()
        if Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == expected:
            return
        time.sleep(0.5)
    states = list(Delivery.objects.values_list("id", "status", "attempt_count", "last_error"))
    raise AssertionError(f"not all delivered: {states}\n{worker_log.read_text(errors='replace')[-3000:]}")


def _assert_each_once_at_least_in_order(receiver, expected: int) -> None:
    by_id = defaultdict(list)
    for request in receiver.requests:
        by_id[request.header("webhook-id")].append(request)
    messages = dict(Delivery.objects.values_list("message_id", "call__unique_call_id"))
    assert set(by_id) == set(messages) and len(messages) == expected  # none lost
    for copies in by_id.values():  # a repeat is the same message
        assert len({c.body for c in copies}) == 1
    per_call = defaultdict(list)
    for message_id, copies in by_id.items():
        sequence = Delivery.objects.get(message_id=message_id).sequence
        per_call[messages[message_id]].append((sequence, min(c.at for c in copies), max(c.at for c in copies)))
    for received in per_call.values():
        received.sort()
        # every copy of an event arrived before the first copy of the call's next event
        assert all(earlier[2] <= later[1] for earlier, later in zip(received, received[1:])), received


def test_worker_killed_mid_delivery_loses_nothing(account, pbx, receiver, hub_env, redis_server, tmp_path):
    webhook_endpoint_create(account=account, url=receiver.url, triggers=TRIGGERS, actor="test",
                            timeout_seconds=3)
    receiver.default = Reply(200, delay=0.4)  # slow, so the kill lands mid-request
    _emit_calls(pbx, 1, 4)
    expected = 12
    log = tmp_path / "worker.log"
    with celery_worker(broker_url=redis_server.url, extra_env=hub_env, log_path=log) as worker:
        deadline = time.monotonic() + 60
        while len(receiver.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-request: the receiver is still answering
        worker.wait()
    # The pump had up to max_concurrency (4) requests in flight: their claims outlive the worker.
    interrupted = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
    assert 1 <= interrupted <= 4
    log2 = tmp_path / "worker2.log"
    with celery_worker(broker_url=redis_server.url, extra_env=hub_env, log_path=log2):
        _wait_all_delivered(expected, log2)
    _assert_each_once_at_least_in_order(receiver, expected)
    assert len(receiver.requests) > expected  # the interrupted ones came (at least) twice


def test_redis_restart_mid_run_loses_nothing(account, pbx, receiver, hub_env, redis_server, tmp_path):
    webhook_endpoint_create(account=account, url=receiver.url, triggers=TRIGGERS, actor="test",
                            timeout_seconds=3)
    receiver.default = Reply(200, delay=0.05)
    log = tmp_path / "worker.log"
    with celery_worker(broker_url=redis_server.url, extra_env=hub_env, log_path=log):
        _emit_calls(pbx, 1, 3)
        redis_server.stop()  # queued messages die with it (no persistence)
        _emit_calls(pbx, 4, 2)  # enqueue fails: only the rows remain
        redis_server.start()
        _emit_calls(pbx, 6, 2)
        _wait_all_delivered(21, log)
    _assert_each_once_at_least_in_order(receiver, 21)


def test_one_message_wakes_every_endpoint_of_a_transaction(account, pbx, receiver, other_receiver, hub_env,
                                                            redis_server, tmp_path):
    # No sweeper here: the commit's one `hub.deliver_endpoints` message alone must reach both.
    for url in (receiver.url, other_receiver.url):
        webhook_endpoint_create(account=account, url=url, triggers=TRIGGERS, actor="test", timeout_seconds=3)
    log = tmp_path / "worker.log"
    with celery_worker(broker_url=redis_server.url, extra_env=hub_env, log_path=log):
        _emit_calls(pbx, 1, 2)  # each transaction writes a delivery for both endpoints
        deadline = time.monotonic() + 60
        while Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 12, log.read_text()[-3000:]
    assert len(receiver.requests) == len(other_receiver.requests) == 6
    assert "hub.deliver_endpoints[" in log.read_text()
