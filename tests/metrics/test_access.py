"""/metrics answers loopback scrapers, and from elsewhere only with METRICS_TOKEN as a bearer
token; the worker's and the ingest process's own port keep the same rule."""
from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys

import pytest
import requests

from hub.metrics.server import metrics_server_start
from tests.metrics.scrape import scrape
from tests.processes import ROOT

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def token_only(settings):
    """Loopback is no longer trusted: only the token opens the metrics."""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("192.0.2.0/24")]
    settings.METRICS_TOKEN = TOKEN


@pytest.fixture
def metrics_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = metrics_server_start(host="127.0.0.1", port=port, process="test")
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_loopback_scraper_reads_the_metrics_without_a_token(live_server):
    scraped = scrape(live_server.url)

    assert "# TYPE hub_http_requests_total counter" in scraped.text
    assert "# TYPE hub_deliveries_due gauge" in scraped.text


@pytest.mark.django_db(transaction=True)
def test_outside_the_allowed_networks_only_the_token_opens_the_metrics(live_server, token_only):
    url = live_server.url + "/metrics"

    refused = requests.get(url, timeout=30)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "hub_" not in refused.text
    assert requests.get(url, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"}, timeout=30).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Basic {TOKEN}"}, timeout=30).status_code == 401
    assert "hub_http_requests_total" in scrape(live_server.url, headers={"Authorization": f"Bearer {TOKEN}"}).text


@pytest.mark.django_db(transaction=True)
def test_without_a_token_set_no_bearer_opens_the_metrics(live_server, settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("192.0.2.0/24")]
    settings.METRICS_TOKEN = ""

    assert requests.get(live_server.url + "/metrics", headers={"Authorization": "Bearer "}, timeout=30).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_through_a_proxy_the_hub_was_not_told_of_loopback_is_no_pass(live_server, settings, header):
    """nginx on the same host relays the internet's requests from 127.0.0.1."""
    settings.METRICS_TOKEN = TOKEN
    relayed = {header: "203.0.113.9" if header != "Forwarded" else "for=203.0.113.9"}

    assert requests.get(live_server.url + "/metrics", headers=relayed, timeout=30).status_code == 401
    assert "hub_http_requests_total" in scrape(live_server.url, headers={**relayed, "Authorization": f"Bearer {TOKEN}"}).text


@pytest.mark.django_db(transaction=True)
def test_a_trusted_proxy_passes_on_the_scrapers_own_address(live_server, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_IPS = 1, ["127.0.0.1"]
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("198.51.100.0/24")]

    assert requests.get(live_server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"},
                        timeout=30).status_code == 401
    assert "hub_http_requests_total" in scrape(live_server.url, headers={"X-Forwarded-For": "198.51.100.7"}).text


@pytest.mark.django_db(transaction=True)
def test_metrics_answer_only_get(live_server):
    assert requests.post(live_server.url + "/metrics", timeout=30).status_code == 405


def test_a_process_port_serves_its_metrics(metrics_port):
    scraped = scrape(metrics_port)

    assert "# TYPE hub_deliveries_total counter" in scraped.text
    assert "hub_deliveries_due" not in scraped.text  # the web process reports the database state, once
    assert requests.get(metrics_port + "/other", timeout=30).status_code == 404


def test_a_process_port_keeps_the_same_rule(metrics_port, token_only):
    assert requests.get(metrics_port + "/metrics", timeout=30).status_code == 401
    assert requests.get(metrics_port + "/metrics", headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    assert "# TYPE hub_deliveries_total counter" in scrape(metrics_port, headers={"Authorization": f"Bearer {TOKEN}"}).text


def test_a_port_in_use_leaves_the_process_running_without_metrics(metrics_port):
    port = int(metrics_port.rsplit(":", 1)[1])

    assert metrics_server_start(host="127.0.0.1", port=port, process="second") is None
    assert metrics_server_start(host="127.0.0.1", port=0, process="off") is None


def _exported_with(flag: str) -> str:
    """What a fresh process exports after one delivery to endpoint 7, METRICS_ENDPOINT_LABELS=flag."""
    code = ("import django; django.setup()\n"
            "from prometheus_client import generate_latest\n"
            "from hub.metrics.record import attempt_record, delivery_outcome_record\n"
            "attempt_record(endpoint_id=7, duration_seconds=0.1)\n"
            "delivery_outcome_record(endpoint_id=7, outcome='delivered', receipt_seconds=1.5)\n"
            "print(generate_latest().decode())\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings", "METRICS_ENDPOINT_LABELS": flag}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True, timeout=120).stdout


def test_endpoint_ids_label_the_delivery_families_only_when_asked():
    plain, labelled = _exported_with("0"), _exported_with("1")

    assert 'hub_deliveries_total{outcome="delivered"} 1.0' in plain
    assert "endpoint=" not in plain
    assert 'hub_deliveries_total{endpoint="7",outcome="delivered"} 1.0' in labelled
    assert 'hub_delivery_attempt_duration_seconds_count{endpoint="7"} 1.0' in labelled
    assert 'hub_delivery_receipt_latency_seconds_sum{endpoint="7"} 1.5' in labelled


def test_an_error_while_counting_is_logged_and_never_reaches_the_caller(caplog):
    from hub.metrics.guard import never_raises

    @never_raises
    def broken() -> None:
        raise TypeError("can't subtract offset-naive and offset-aware datetimes")

    assert broken() is None
    assert "broken failed" in caplog.text and "TypeError" in caplog.text
