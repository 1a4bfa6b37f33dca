"""A real Celery worker serves its own metrics port and writes a JSON line per attempt: after it
has delivered real traffic to a real receiver, both say what happened."""
from __future__ import annotations

import json
import time

import pytest
import requests
from django.db import transaction

from hub.models import Delivery, DeliveryStatus
from hub.services.delivery import deliveries_create, webhook_endpoint_create
from tests.delivery_engine.engine import make_call, make_event
from tests.delivery_engine.processes import publisher, worker_database_url
from tests.delivery_engine.receiver import Reply
from tests.ingest.hub_processes import free_port
from tests.metrics.scrape import scrape
from tests.processes import celery_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TRIGGERS = ["user_inbound", "user_inbound_answered", "user_inbound_completed"]
CALLS = 3
# Bounds for waiting on the worker; the assertions are on counts, never on time.
WAIT_SECONDS = 90


def _emit(pbx) -> None:
    for n in range(CALLS):
        call = make_call(pbx, f"250301091422_{n}")
        for sequence, trigger in enumerate(TRIGGERS, 1):
            with transaction.atomic():  # as ingest writes them: enqueued on commit
                deliveries_create(events=[make_event(pbx, trigger, call=call, sequence=sequence)])


def _until(condition, what: str, log) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def _scrape_or_none(base: str):
    try:
        return scrape(base)
    except requests.ConnectionError:
        return None


def test_a_worker_reports_its_deliveries_on_its_port_and_logs_each_attempt(account, pbx, receiver, redis_server,
                                                                          tmp_path):
    webhook_endpoint_create(account=account, url=receiver.url, triggers=TRIGGERS, actor="test")
    receiver.replies = [Reply(503)]  # one attempt fails and is retried (after WEBHOOK_RETRY_SCHEDULE's 0 s)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"DATABASE_URL": worker_database_url(), "METRICS_WORKER_PORT": str(port), "LOG_FORMAT": "json",
           "WEBHOOK_RETRY_SCHEDULE": "0,0,0"}
    log = tmp_path / "worker.log"
    expected = CALLS * len(TRIGGERS)

    with publisher(redis_server.url), celery_worker(broker_url=redis_server.url, extra_env=env, log_path=log):
        _until(lambda: _scrape_or_none(base) is not None, "the worker's metrics port", log)
        _emit(pbx)
        _until(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == expected, "deliveries", log)
        _until(lambda: scrape(base).value("hub_deliveries_total", outcome="delivered") == expected, "the counter", log)
        scraped = scrape(base)

    assert scraped.value("hub_delivery_retries_scheduled_total") == 1
    assert scraped.value("hub_delivery_attempt_duration_seconds_count") == expected + 1 == len(receiver.requests)
    assert scraped.value("hub_delivery_receipt_latency_seconds_count") == expected
    assert "hub_deliveries_due" not in scraped.text

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    attempts = [line for line in lines if line.get("message") == "delivery attempt"]
    assert sorted(a["outcome"] for a in attempts) == ["delivered"] * expected + ["retry"]
    messages = dict(Delivery.objects.values_list("message_id", "call_id"))
    assert {a["webhook_id"]: a["call"] for a in attempts} == messages
    assert {(a["account"], a["pbx"]) for a in attempts} == {(account.pk, pbx.pk)}
    # Each line carries the id of the engine round that recorded it (a task's id with the pumps).
    assert all(len(a["request_id"]) == 36 for a in attempts)
