"""Every console page at a phone's width (390 px) and a laptop's (1366 px) in Debian's Chromium.

The page itself never scrolls sideways (a table may scroll inside its own box, but on phones
tables reflow into one card per row); the phone nav says it has more items; the columns an admin
looks for (a delivery's status, a key's Revoke button, an endpoint's last success) are on screen.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.models import AllowedNetwork, ClickToCall, DeliveryStatus, WebhookComponent
from hub.services.api_keys import api_key_create
from hub.services.invitations import invitation_create
from tests.webui.conftest import enable_click_to_call, make_call, make_delivery, make_endpoint, make_source

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
PASSWORD = "correct horse battery"  # tests.factories.make_member's
LONG_URL = "https://crm.plumbing-and-heating-customer.example.com/api/v2/integrations/pbx/call-events?tenant=acme-melbourne"

# What scrolls the page sideways, for the failure message: the widest elements past the right edge.
OVERFLOW = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 1);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          culprits: wide.slice(-6).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
                                            + ' ' + Math.round(e.getBoundingClientRect().right))};
}"""


@pytest.fixture
def console(world):
    """An account with something on every page, with long names and addresses where real ones are long."""
    account, pbx = world.account, world.pbx
    account.name = "Acme Plumbing & Heating (Melbourne)"
    account.save()
    call = make_call(pbx, "250301080017_874", caller_number="+61393166101", dest_number="+61354060753")
    endpoint = make_endpoint(account, url=LONG_URL, name="CRM call events for the whole plumbing team",
                             triggers=("user_inbound", "user_inbound_answered", "queue_call", "call_received"))
    endpoint.last_success_at = timezone.now() - timedelta(minutes=3)
    endpoint.save()
    failing = make_endpoint(account, url="https://helpdesk.example.org/hooks/pbx-call-events-for-the-support-queue")
    failing.last_failure_at = failing.failing_since = timezone.now() - timedelta(hours=2)
    failing.last_failure_reason = "Connection refused: nothing accepted the connection on helpdesk.example.org port 443"
    failing.consecutive_failures = 18
    failing.save()
    make_delivery(failing, call=call)
    failed = make_delivery(endpoint, call=call)
    for status in (DeliveryStatus.DELIVERED, DeliveryStatus.PENDING):
        make_delivery(endpoint, status=status, trigger="user_inbound_answered", call=call)
    key, _ = api_key_create(account=account, name="Salesforce sync for the Melbourne office")
    AllowedNetwork.objects.create(account=account, network="2001:db8:1234:5678::/64", note="Head office IPv6 range")
    source = make_source(pbx)
    component = WebhookComponent.objects.create(account=account, name="VIP customers on the 1300 line",
                                                condition="dialled_did", target="1300123456")
    enable_click_to_call(pbx, "103")
    click = ClickToCall.objects.create(account=account, pbx=pbx, user_number="103", number_to_call="+61355501234",
                                       driver="simulator", status="failed", reason="The PBX did not answer within 10 s.")
    _, token = invitation_create(account=account, email="nina.longname@plumbing-and-heating.example.com",
                                 role="viewer", user=world.owner)
    return {
        "pages": [reverse(name, args=args) for name, args in (
            ("webui:dashboard", []), ("webui:api-keys", []), ("webui:whitelist", []), ("webui:api-builder", []),
            ("webui:webhooks", []), ("webui:webhook-new", []), ("webui:webhook", [endpoint.pk]),
            ("webui:webhook-edit", [endpoint.pk]), ("webui:deliveries", []), ("webui:delivery", [failed.pk]),
            ("webui:calls", []), ("webui:call", [call.unique_call_id]), ("webui:click-to-call", []),
            ("webui:click-to-call-detail", [click.pk]), ("webui:sources", []), ("webui:source-new", [pbx.slug]),
            ("webui:source-edit", [source.pk]), ("webui:component-new", []), ("webui:component-edit", [component.pk]),
            ("webui:pbx-edit", [pbx.slug]), ("webui:retention", []), ("webui:audit", []), ("webui:team", []))],
        "signed_out": [reverse("webui:login"), reverse("webui:join", args=[token])],
        "key": key, "click": click.pk,
    }


def _sign_in(page, base):
    page.goto(f"{base}{reverse('webui:login')}")
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("main h1")


def _overflow(page, base, path):
    page.goto(f"{base}{path}")
    page.wait_for_selector("h1")
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_no_console_page_scrolls_sideways(browser, live_server, console, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        wide = {path: found for path in console["signed_out"] if (found := _overflow(page, live_server.url, path))}
        _sign_in(page, live_server.url)
        wide |= {path: found for path in console["pages"] if (found := _overflow(page, live_server.url, path))}
    finally:
        context.close()
    assert wide == {}, "\n".join(f"{p}: {f}" for p, f in wide.items())


def _inside_viewport(page, selector) -> bool:
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_on_a_phone_the_nav_menu_and_the_key_columns_are_on_screen(browser, live_server, console):
    page = browser.new_page(viewport=PHONE)
    try:
        _sign_in(page, live_server.url)
        toggle = page.locator("button[aria-controls=main-nav]")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#main-nav a:has-text('Deliveries')").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        links = page.locator("#main-nav a")
        assert links.count() >= 9  # owners see Team and the audit log too
        for i in range(links.count()):
            assert links.nth(i).is_visible() and _inside_viewport(page, f"#main-nav a >> nth={i}")
        page.click("#main-nav a:has-text('Deliveries')")
        page.wait_for_selector("h1:has-text('Deliveries')")
        for status in ("failed", "delivered", "pending"):
            assert _inside_viewport(page, f"main td .pill:has-text('{status}')"), status

        # On a page shorter than the screen the top bar stays a bar (it once took the spare height).
        page.goto(f"{live_server.url}{reverse('webui:click-to-call-detail', args=[console['click']])}")
        assert page.locator(".sidebar").bounding_box()["height"] < 200

        page.goto(f"{live_server.url}{reverse('webui:api-keys')}")
        assert _inside_viewport(page, "main button:has-text('Revoke')")
        page.goto(f"{live_server.url}{reverse('webui:click-to-call')}")
        assert _inside_viewport(page, "main button:has-text('Place call')")
        assert _inside_viewport(page, "main td .pill:has-text('failed')")
        page.goto(f"{live_server.url}{reverse('webui:team')}")
        assert _inside_viewport(page, "main button:has-text('Remove')")
    finally:
        page.close()


def test_on_a_laptop_the_endpoints_table_shows_every_column_whole(browser, live_server, console):
    page = browser.new_page(viewport=LAPTOP)
    try:
        _sign_in(page, live_server.url)
        assert not page.locator("button[aria-controls=main-nav]").is_visible()
        assert page.locator("#main-nav a:has-text('Deliveries')").is_visible()
        page.goto(f"{live_server.url}{reverse('webui:webhooks')}")
        wrap = page.evaluate("() => { const w = document.querySelector('main .table-wrap'); return [w.scrollWidth, w.clientWidth]; }")
        assert wrap[0] <= wrap[1]
        assert page.locator("main th:has-text('Last success')").is_visible()
        assert page.locator("main td:has-text('3 minutes ago')").is_visible()
    finally:
        page.close()
