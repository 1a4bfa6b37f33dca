"""The delivery tools in Chromium, at a desk's width and a phone's (issue 15: health, audit log,
delivery tools): real receivers on 127.0.0.1, deliveries sent by the engine between looks at
the page, and the endpoint page's Python snippet run against a request the hub really sent."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import transaction

from hub.models import Role
from hub.services.delivery import deliveries_create, endpoint_pump
from tests.delivery_engine.engine import make_call, make_event
from tests.factories import make_account, make_member
from tests.webui.conftest import make_endpoint
from tests.webui.receiver import receiver
from tests.webui.test_browser import PASSWORD, shoot

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def acme(monkeypatch, settings):
    # Retries far enough apart that a failed delivery is still backing off when the page looks.
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 600, 600, 600]
    # No broker here: the test pumps the endpoints itself, as a worker would.
    monkeypatch.setattr("hub.services.delivery.enqueue.endpoints_wake", lambda ids: None)
    monkeypatch.setattr("hub.services.delivery.pump.endpoints_wake", lambda ids: None)
    account, pbx, _ = make_account("acme", pbx_slug="acme-melbourne")
    make_member(account, "olivia@acme.test", Role.OWNER, password=PASSWORD)
    return account, pbx


def _emit(pbx, call=None, sequence=0, **payload):
    with transaction.atomic():
        deliveries_create(events=[make_event(pbx, "user_inbound", call=call, sequence=sequence, **payload)])


def _sign_in(page, base):
    page.goto(f"{base}/login/")
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_health_test_payload_and_signature_snippet(browser, live_server, acme, width, tmp_path):
    account, pbx = acme
    page = browser.new_page(viewport=WIDTHS[width])
    page.set_default_timeout(15000)
    with receiver(reply={"crm": "stored"}) as (url, seen):
        endpoint = make_endpoint(account, url=url, triggers=("user_inbound", "queue_call"))
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/webhooks/{endpoint.pk}/")
        assert page.text_content("main h1 .pill") == "no traffic yet"
        _no_sideways_scroll(page)

        # The payload box holds the ticked event's sample and follows the event picker until edited.
        box = page.locator("textarea[data-test-payload]")
        assert json.loads(box.input_value())["unique_call_id"]
        page.select_option("#id_trigger", "queue_call")
        assert box.input_value() == json.dumps(_sample("queue_call"), indent=2, ensure_ascii=False)
        page.select_option("#id_trigger", "user_inbound")
        edited = _sample("user_inbound") | {"unique_call_id": "typed-in-the-browser"}
        box.fill(json.dumps(edited))
        page.click("button:has-text('Send test request')")
        page.wait_for_selector("#test-result")
        assert "HTTP 200" in page.text_content("#test-result .result-head")
        assert "typed-in-the-browser" in page.text_content("[data-test-request]")
        assert "typed-in-the-browser" in seen[-1]["body"] and "stored" in page.text_content("[data-test-response]")
        assert page.text_content("main h1 .pill") == "no traffic yet"  # a test is not traffic
        if width == "desk":
            shoot(page, "webhook-test-payload")

        # A real delivery, then the page's own Python snippet verifies it with the revealed secret.
        _emit(pbx)
        endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=2)
        page.goto(f"{live_server.url}/webhooks/{endpoint.pk}/")
        assert page.text_content("main h1 .pill") == "healthy"
        assert page.text_content("[data-count=delivered]") == "1"
        page.click("#signing button:has-text('Reveal')")
        secret = page.input_value("#signing input[readonly]")
        snippet = page.text_content("[data-snippet-code=python]")
        delivered = seen[-1]
        assert _snippet_verifies(tmp_path, snippet, secret, delivered["body"], delivered["headers"]) == "verified"
        tampered = delivered["body"].replace("user_inbound", "user_outbound")
        assert _snippet_verifies(tmp_path, snippet, secret, tampered, delivered["headers"]) == "refused"
        for language in ("python", "node", "php", "go"):
            assert page.locator(f"[data-snippet={language}]").count() == 1
        _no_sideways_scroll(page)
    page.close()


def _sample(trigger: str) -> dict:
    from hub.catalogue import CATALOGUE

    return dict(CATALOGUE[trigger].sample)


def _snippet_verifies(tmp_path, snippet: str, secret: str, body: str, headers: dict) -> str:
    """Runs the snippet as a receiver would, in its own Python with the real `standardwebhooks`."""
    (tmp_path / "receiver.py").write_text(snippet)
    (tmp_path / "request.json").write_text(json.dumps({"body": body, "headers": headers}))
    check = ("import json, receiver\n"
             "from standardwebhooks.webhooks import WebhookVerificationError\n"
             "request = json.load(open('request.json'))\n"
             "try:\n"
             "    receiver.verify(request['body'].encode(), request['headers'])\n"
             "    print('verified')\n"
             "except WebhookVerificationError:\n"
             "    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env={"WEBHOOK_SECRET": secret},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("width", WIDTHS)
def test_waiting_deliveries_retry_resend_filters_and_audit(browser, live_server, acme, width):
    account, pbx = acme
    page = browser.new_page(viewport=WIDTHS[width])
    page.set_default_timeout(15000)
    with receiver(status=503) as (url, seen):
        endpoint = make_endpoint(account, url=url, name="Helpdesk")
        call = make_call(pbx, "250301091422_435")
        _emit(pbx, call=call, sequence=1)
        _emit(pbx, call=call, sequence=2)
        endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=2)  # the first fails; the second waits behind it
        _sign_in(page, live_server.url)

        page.goto(f"{live_server.url}/webhooks/")
        row = page.locator("tr", has=page.locator(f"a[href='/webhooks/{endpoint.pk}/']"))
        assert "failing" in row.text_content()
        page.goto(f"{live_server.url}/webhooks/{endpoint.pk}/")
        assert page.text_content("[data-count=failed]") == "1" and page.text_content("[data-count=pending]") == "2"

        page.goto(f"{live_server.url}/deliveries/")
        assert "backing off after 1 failed attempt" in page.text_content("[data-wait=backoff]")
        assert "waits behind an earlier delivery of the same call" in page.text_content("[data-wait=behind]").lower()
        if width == "desk":
            assert page.locator("td[data-next-try]").first.text_content().strip() not in ("", "—")
            shoot(page, "deliveries-waiting")
        _no_sideways_scroll(page)

        # Retry now: the failing delivery goes at once, and fails again against the 503.
        page.click("[data-wait=backoff] >> xpath=ancestor::tr//a[contains(@class, 'row-link')]")
        page.click("button:has-text('Retry now')")
        page.wait_for_selector("text=Due now: a worker sends it within seconds.")
        before = len(seen)
        endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=2)
        assert len(seen) == before + 1
        page.reload()
        assert page.locator("details.attempt").count() == 2
        page.locator("details.attempt").first.locator("summary").click()
        assert "Service Unavailable" in page.text_content("details.attempt >> nth=0") or "503" in page.text_content(
            "details.attempt >> nth=0")
        assert page.locator("[data-part=response-headers]").first.is_visible()
        message_id = page.text_content("dt:has-text('Message id') + dd").strip()

    with receiver() as (url, seen):
        from hub.models import WebhookEndpoint

        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
        from hub.models import Delivery

        Delivery.objects.filter(endpoint=endpoint).update(url=url)
        page.click("button:has-text('Retry now')")
        page.wait_for_selector("text=Due now: a worker sends it within seconds.")
        endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=2)
        assert len(seen) == 2  # the first, then the one that waited behind it
        # Resend a delivered one: it goes again with the same webhook-id.
        page.goto(f"{live_server.url}/deliveries/?message_id={message_id}")
        assert page.locator("a.row-link").count() == 1
        page.click("a.row-link")
        page.click("button:has-text('Resend')")
        page.wait_for_selector("text=Queued to be sent again")
        endpoint_pump(endpoint_id=endpoint.pk, slice_seconds=2)
        assert len(seen) == 3 and seen[-1]["headers"]["webhook-id"] == message_id

    page.goto(f"{live_server.url}/audit/")
    page.select_option("#id_action", "delivery.resent")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**action=delivery.resent**")
    rows = page.locator("tr[data-audit]")
    rows.first.wait_for()
    assert rows.count() == 1 and "olivia@acme.test" in rows.first.text_content()
    assert rows.first.locator("[data-before]").text_content() == "delivered"
    assert rows.first.locator("[data-after]").text_content() == "pending"
    if width == "desk":
        page.goto(f"{live_server.url}/audit/")
        shoot(page, "audit-log-changes")
    _no_sideways_scroll(page)
    page.close()
