"""In Chromium: a refresh after an action repeats nothing, a secret survives one page view, no
address bar is left on a POST-only URL, and a call's time is its PBX's local time."""
from datetime import datetime, timezone as dt_timezone

import pytest

from hub.models import ApiKey, Role, WebhookEndpoint
from tests.factories import make_account, make_member
from tests.webui.conftest import make_call
from tests.webui.receiver import receiver

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test password"


@pytest.fixture
def page(browser, live_server):
    account, pbx, _ = make_account("acme")
    make_member(account, "olivia@acme.test", Role.OWNER, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("main h1")
    page.base, page.pbx = live_server.url, pbx
    yield page
    page.close()


def test_a_new_key_shows_once_and_a_refresh_makes_no_second(page):
    page.goto(f"{page.base}/api-access/keys/")
    page.fill("#id_name", "CRM")
    page.click("button:has-text('Create key')")
    assert page.input_value("#new-key").startswith("pbxh_")
    assert page.url == f"{page.base}/api-access/keys/"
    page.reload()
    page.wait_for_selector("main h1")
    assert page.locator("#new-key").count() == 0 and ApiKey.objects.count() == 1


def test_an_endpoint_and_its_tools_leave_the_address_bar_on_its_page(page):
    with receiver() as (hook_url, seen):
        page.goto(f"{page.base}/webhooks/new/")
        page.fill("#id_url", hook_url)
        page.check("input[name=triggers][value=user_inbound]")
        page.click("button:has-text('Create endpoint')")
        secret = page.input_value("#new-secret")
        endpoint = WebhookEndpoint.objects.get()
        detail = f"{page.base}/webhooks/{endpoint.pk}/"
        assert secret.startswith("whsec_") and page.url == detail
        page.reload()
        assert page.locator("#new-secret").count() == 0 and WebhookEndpoint.objects.count() == 1

        page.click("button:has-text('Send test request')")
        page.wait_for_selector("#test-result")
        assert page.url == detail + "#test" and len(seen) == 1
        page.reload()
        page.wait_for_selector("main h1")
        assert page.locator("#test-result").count() == 0 and len(seen) == 1

    page.click("button:has-text('Reveal')")
    page.wait_for_selector(f"input[value='{secret}']")
    assert page.url == detail + "#signing"
    page.reload()
    page.wait_for_selector("main h1")
    assert page.locator(f"input[value='{secret}']").count() == 0


def test_a_call_reads_in_its_pbx_local_time(page):
    instant = datetime(2026, 12, 6, 16, 6, 45, tzinfo=dt_timezone.utc)  # 03:06:45 on the 7th in Melbourne
    make_call(page.pbx, "261207030645_1", call_start_at=instant, last_event_at=instant, connected_at=instant)
    page.goto(f"{page.base}/calls/")
    assert "07 Dec 03:06:45" in page.text_content("table")
    assert page.text_content("#page-zone").strip() == "Times are in Australia/Melbourne."
    page.click("a.row-link")
    assert "Mon 07 Dec 2026 03:06:45" in page.text_content("main h1 + p")
