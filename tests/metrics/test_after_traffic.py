"""After real traffic (a PBX pushing over HTTP, deliveries to real receivers on 127.0.0.1), a
scrape of /metrics says what happened: each family's change matches what the database holds."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.db.models import Count
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.models import Attempt, CatalogueEvent, Delivery, DeliveryStatus
from hub.services.delivery import webhook_endpoint_create
from hub.services.ingest.flush import catalogue_flush
from tests.delivery_engine.engine import later, run_due
from tests.delivery_engine.receiver import Receiver, Reply
from tests.factories import make_account
from tests.metrics.scrape import scrape


def _answered_call(now, call_id: str = "7001") -> list[dict]:
    """A call that rang, was answered and ended, the newest event 3 s old when pushed."""
    def at(seconds_ago: int) -> str:
        return (now - timedelta(seconds=seconds_ago)).isoformat()
    return [
        {"id": f"{call_id}-1", "kind": "call.incoming", "occurred_at": at(20), "pbx_call_id": call_id,
         "data": {"caller_number": "+61390001234", "did": "+61386001000"}},
        {"id": f"{call_id}-2", "kind": "user.ringing", "occurred_at": at(18), "pbx_call_id": call_id, "data": {"user": "102"}},
        {"id": f"{call_id}-3", "kind": "call.answered", "occurred_at": at(15), "pbx_call_id": call_id, "data": {"user": "102"}},
        {"id": f"{call_id}-4", "kind": "call.terminated", "occurred_at": at(3), "pbx_call_id": call_id,
         "data": {"reason": "TerminatedBySrc"}},
    ]


@pytest.fixture
def receivers():
    started = [Receiver().start(), Receiver().start()]
    yield started
    for receiver in started:
        receiver.stop()


def _delta(after, before, name, **labels) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


@pytest.mark.django_db(transaction=True)
def test_a_scrape_after_traffic_counts_what_happened(live_server, receivers):
    healthy, gone = receivers
    account, pbx, token = make_account("acme", timezone="UTC")
    triggers = list(CATALOGUE)
    ok_endpoint, _ = webhook_endpoint_create(account=account, actor="test", url=healthy.url + "/hook", dialect="json",
                                             triggers=triggers)
    gone_endpoint, _ = webhook_endpoint_create(account=account, actor="test", url=gone.url + "/hook", dialect="json",
                                               triggers=triggers)
    healthy.replies = [Reply(503)]  # its first request fails once and is retried
    gone.default = Reply(410)  # the receiver has gone: the hub disables the endpoint
    before = scrape(live_server.url)

    pushed = requests.post(live_server.url + "/ingest/events/", json=_answered_call(timezone.now()),
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert pushed.status_code == 202, pushed.text
    # The call's catalogue events wait for the push stream's lateness allowance (docs/ingest.md);
    # beat lets them out once the PBX has been quiet: here at once.
    assert catalogue_flush(pbx=pbx) > 0
    queued = scrape(live_server.url)
    deliveries = Delivery.objects.filter(endpoint=ok_endpoint).count()
    assert deliveries > 0
    # Nothing has been sent yet: every delivery to both endpoints is due.
    assert queued.value("hub_deliveries_due") == 2 * deliveries
    assert queued.value("hub_deliveries_oldest_due_age_seconds") > 0

    run_due()  # what the worker does: each endpoint's pump
    run_due(now=later(minutes=5))  # the retry, once it is due
    after = scrape(live_server.url)

    assert _delta(after, before, "hub_ingest_events_total", pbx=pbx.pk, source="native") == 4
    assert _delta(after, before, "hub_ingest_lag_seconds_count", source="native") == 1
    assert _delta(after, before, "hub_ingest_lag_seconds_sum", source="native") >= 3
    assert _delta(after, before, "hub_ingest_lag_seconds_bucket", source="native", le="1.0") == 0
    stored = dict(CatalogueEvent.objects.values_list("trigger").annotate(n=Count("id")))
    assert {t: n - before.value("hub_catalogue_events_total", trigger=t)
            for t, n in after.by("hub_catalogue_events_total", "trigger").items()
            if n - before.value("hub_catalogue_events_total", trigger=t)} == stored

    delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED)
    assert delivered.count() == deliveries
    assert _delta(after, before, "hub_deliveries_total", outcome="delivered") == deliveries
    assert _delta(after, before, "hub_delivery_receipt_latency_seconds_count") == deliveries
    assert _delta(after, before, "hub_delivery_retries_scheduled_total") == 1
    assert _delta(after, before, "hub_deliveries_total", outcome="failed") == 1  # the 410
    assert _delta(after, before, "hub_endpoints_disabled_total", reason="gone") == 1
    assert _delta(after, before, "hub_delivery_attempt_duration_seconds_count") == Attempt.objects.count() == deliveries + 2

    # Database state, read at scrape time: the disabled endpoint's deliveries wait for an operator.
    assert after.value("hub_deliveries_due") == 0
    assert after.value("hub_deliveries_oldest_due_age_seconds") == 0
    assert after.by("hub_endpoints", "state") == {"healthy": 1, "failing": 0, "disabled": 1}
    assert Delivery.objects.filter(endpoint=gone_endpoint, status=DeliveryStatus.PENDING).count() == deliveries - 1

    push_route = {"route": "ingest-events-token-in-header", "method": "POST"}
    assert _delta(after, before, "hub_http_requests_total", status=202, **push_route) == 1
    assert _delta(after, before, "hub_http_request_duration_seconds_count", **push_route) == 1
    # The scrapes count too, by route name: never a path.
    assert _delta(after, before, "hub_http_requests_total", route="metrics", method="GET", status=200) == 2
    assert not [s for s in after.samples if "/" in dict(s[1]).get("route", "")]


@pytest.mark.django_db(transaction=True)
def test_an_unknown_path_and_method_add_no_series_of_their_own(live_server):
    before = scrape(live_server.url)
    for path in ("/no/such/page-1", "/no/such/page-2"):
        requests.get(live_server.url + path, timeout=30)
    requests.request("BREW", live_server.url + "/healthz", timeout=30)
    after = scrape(live_server.url)

    assert _delta(after, before, "hub_http_requests_total", route="unmatched", method="GET", status=404) == 2
    assert (after.total("hub_http_requests_total", route="healthz", method="other")
            - before.total("hub_http_requests_total", route="healthz", method="other")) == 1
    assert not [labels for _, labels in after.samples if ("method", "BREW") in labels]
