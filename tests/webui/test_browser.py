"""The console end to end in Debian's Chromium: what an account admin does on a normal day.

Threads stand in for the worker and ingest processes (the live server's test database lives
in this process): they place click-to-calls, follow the simulator's logs and send deliveries,
through the same services the real processes call.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

import pytest

from hub.models import CallControl, ClickToCall, Delivery, DeliveryStatus, PbxUser, Role
from hub.services.click_to_call import click_to_call_place, click_to_call_refresh
from hub.services.delivery import endpoint_pump
from hub.vocabulary.timezones import parse_timezone
from hub.services.ingest.follow import SourceFollower
from hub.services.ingest.sources import file_sources_ensure
from integrations.simulator import run_live
from tests.factories import make_account, make_member
from tests.webui.demo import seed_traffic
from tests.webui.receiver import receiver

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The run's private var/ folder (tests/hub_env.py); `./hubctl screenshots` points this at
# docs/screenshots to refresh the README's pictures, so a test run never changes them.
SHOTS = Path(os.environ.get("HUB_SCREENSHOTS_DIR") or Path(os.environ["HUB_VAR_DIR"]) / "screenshots")
PASSWORD = "a long test password"


class Worker:
    """Places queued click-to-calls, follows the simulator's files, sends due deliveries.

    Stepped from the test's own thread between looks at the page, so what the page shows
    next has been through the same steps a worker and ingest would take.
    """

    def __init__(self, pbx, directory: Path):
        self.followers = [SourceFollower(s) for s in file_sources_ensure(pbx=pbx, directory=directory)]

    def step(self):
        for follower in self.followers:
            follower.poll()
        for click in ClickToCall.objects.filter(status="queued", pbx_reference=""):
            click_to_call_place(click_id=click.pk)
        for click in ClickToCall.objects.filter(status="ringing_user"):
            click_to_call_refresh(click_id=click.pk)
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING, is_test=False, endpoint__url__startswith="http://127.0.0.1")
        for endpoint_id in set(due.values_list("endpoint_id", flat=True)):
            endpoint_pump(endpoint_id=endpoint_id, slice_seconds=2)

    def close(self):
        for follower in self.followers:
            follower.close()

    def until(self, page, selector: str, *, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while not page.locator(selector).count():
            assert time.monotonic() < deadline, f"{selector} never appeared"
            self.step()
            page.wait_for_timeout(250)


@pytest.fixture
def simulator(tmp_path):
    stop = threading.Event()
    thread = threading.Thread(target=run_live, daemon=True, kwargs=dict(
        out_dir=tmp_path, tz=parse_timezone("Australia/Melbourne"), calls_per_minute=20, stop_event=stop, seed=4, speed=8,
        click_to_call_inbox=tmp_path / "click_to_call", poll_interval=0.05))
    thread.start()
    yield tmp_path
    stop.set()
    thread.join(timeout=5)


@pytest.fixture
def account(monkeypatch, simulator):
    # No broker in this test: the Worker thread does what Celery workers do.
    monkeypatch.setattr("hub.services.click_to_call.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("hub.services.delivery.enqueue.endpoints_wake", lambda ids: None)
    monkeypatch.setattr("hub.services.delivery.pump.endpoints_wake", lambda ids: None)
    account, pbx, _ = make_account("acme", pbx_slug="acme-melbourne")
    account.name = "Acme Plumbing"
    account.save()
    pbx.name = "Melbourne office"
    pbx.save()
    make_member(account, "olivia@acme.test", Role.OWNER, password=PASSWORD)
    CallControl.objects.create(pbx=pbx, simulator_dir=str(simulator))
    PbxUser.objects.create(pbx=pbx, number="103", name="Ben Okafor")
    return account, pbx


def shoot(page, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_an_admins_day_in_the_console(browser, live_server, account, simulator):
    _, pbx = account
    worker = Worker(pbx, simulator)
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server.url)
        key = _create_api_key(page, live_server.url)
        _whitelist_own_address(page, live_server.url)
        _run_api_request(page, live_server.url, key)
        with receiver(reply={"accepted": True, "crm": "demo receiver"}) as (hook_url, seen):
            endpoint_path = _create_webhook(page, live_server.url, hook_url)
            _send_test_request(page, seen)
            _open_delivery_attempts(page)
            seed_traffic(pbx=pbx, endpoint=_endpoint(endpoint_path))
            _place_click_to_call(page, live_server.url, worker)
            _tour(page, live_server.url)
    finally:
        worker.close()
        page.close()


def _endpoint(path: str):
    from hub.models import WebhookEndpoint

    return WebhookEndpoint.objects.get(pk=int(re.search(r"/webhooks/(\d+)/", path).group(1)))


def _sign_in(page, base):
    page.goto(f"{base}/")
    assert "/login/" in page.url
    shoot(page, "sign-in", full=False)
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Acme Plumbing')")


def _create_api_key(page, base) -> str:
    page.goto(f"{base}/api-access/keys/")
    page.fill("#id_name", "Salesforce sync")
    page.check("input[name=scopes][value='calls:place']")
    page.click("button:has-text('Create key')")
    key = page.input_value("#new-key")
    assert key.startswith("pbxh_")
    page.wait_for_selector("button[data-copy='#new-key']:visible")
    shoot(page, "api-keys")
    return key


def _whitelist_own_address(page, base):
    page.goto(f"{base}/api-access/whitelist/")
    page.click("button:has-text('Use this address')")
    assert page.input_value("#id_address") == "127.0.0.1"
    page.fill("#id_note", "Office network")
    page.click("button:has-text('Add to whitelist')")
    page.wait_for_selector("text=Added 127.0.0.1/32 to the whitelist.")
    shoot(page, "ip-whitelist")


def _run_api_request(page, base, key):
    page.goto(f"{base}/api-access/request-builder/")
    page.select_option("#id_endpoint", "user")
    page.fill("#id_limit", "5")
    page.click("button:has-text('Build request')")
    assert "/api/integration/v2/get-user-calls?" in page.text_content("#api-url")
    assert page.text_content("#api-curl").startswith("curl ")
    page.fill("#api-key-input", key)
    page.click("#api-run")
    page.wait_for_selector("#api-result [data-status]:has-text('200')")
    reply = json.loads(page.text_content("#api-result [data-body]"))
    assert reply["status"] == "success"
    shoot(page, "api-request-builder")


def _create_webhook(page, base, hook_url) -> str:
    page.goto(f"{base}/webhooks/new/")
    page.fill("#id_url", hook_url)
    page.fill("#id_name", "CRM call events")
    for trigger in ("user_inbound", "user_inbound_answered", "queue_call", "call_received"):
        page.check(f"input[name=triggers][value={trigger}]")
    page.click("button[data-generate]")
    assert len(page.input_value("#id_secret_token")) >= 30
    page.locator("details.expander").first.locator("summary").click()
    page.wait_for_selector("details.expander[open] pre.code")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "webhook-form", full=False)
    page.click("button:has-text('Create endpoint')")
    page.wait_for_selector("text=Signing secret")
    assert page.input_value("#new-secret").startswith("whsec_")
    return page.url if "/webhooks/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit() else _detail_url(page)


def _detail_url(page) -> str:
    href = page.get_attribute("a:has-text('Edit')", "href")
    return href.replace("edit/", "")


def _send_test_request(page, seen):
    page.select_option("#id_trigger", "user_inbound")
    page.click("button:has-text('Send test request')")
    page.wait_for_selector("#test-result")
    assert "HTTP 200" in page.text_content("#test-result")
    assert "demo receiver" in page.text_content("[data-test-response]")
    assert seen and seen[-1]["method"] == "POST"
    shoot(page, "webhook-detail")


def _open_delivery_attempts(page):
    page.click("a:has-text('Attempt log')")
    page.wait_for_selector("details.attempt[open]")
    assert "HTTP 200" in page.text_content("details.attempt")
    assert "demo receiver" in page.text_content("details.attempt")
    shoot(page, "delivery-attempts")


def _place_click_to_call(page, base, worker):
    page.goto(f"{base}/click-to-call/")
    page.select_option("#id_user", label="103 · Ben Okafor")
    page.fill("#id_number", "+61355501234")
    page.click("button:has-text('Place call')")
    page.wait_for_selector("[data-status='queued']")
    worker.until(page, "[data-status='ringing_user'], [data-status='connected']")
    worker.until(page, "[data-status='connected']")
    assert "Connected" in page.text_content("#c2c-status")
    shoot(page, "click-to-call")
    worker.until(page, "#c2c-status a.mono", timeout=20)


def _tour(page, base):
    for name, path in (("deliveries", "/deliveries/"), ("webhooks", "/webhooks/"), ("calls", "/calls/"),
                       ("pbx-sources", "/sources/"), ("audit-log", "/audit/")):
        page.goto(f"{base}{path}")
        page.wait_for_selector("main h1")
        shoot(page, name)
    page.goto(f"{base}/click-to-call/")
    page.click("table a.row-link >> nth=0")
    page.click("#c2c-status a.mono")  # the placed call, as the history holds it
    page.wait_for_selector("text=Timeline")
    shoot(page, "call")
    page.goto(f"{base}/")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart rect.bar-calls").count() > 10
    shoot(page, "dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shoot(page, "dashboard-phone")
    page.goto(f"{base}/webhooks/")
    shoot(page, "webhooks-phone")
