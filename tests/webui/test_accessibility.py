"""Every console page, at a laptop's and a phone's width, passes axe-core with no serious or
critical violation; form errors are tied to their fields; a skip link leads past the navigation.

The pages are found by following the console's own links from the dashboard, so a page added
later is checked without being listed here.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.utils import timezone

from hub.models import AllowedNetwork, Attempt, ClickToCall, DeliveryStatus, Role
from hub.services.api_keys import api_key_create
from tests.factories import make_account, make_member
from tests.webui.axe import axe_script, blocking_violations, dangling_describedby
from tests.webui.conftest import enable_click_to_call, make_call, make_delivery, make_endpoint, make_source

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test password"
WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Not pages: signing out, the API (its own docs are checked by the API tests), static files.
SKIP = re.compile(r"^/(logout|api|static|admin)/")
MAX_PAGES = 80


@pytest.fixture
def console(db):
    account, pbx, _ = make_account("acme")
    make_member(account, "olivia@acme.test", Role.OWNER, password=PASSWORD)
    endpoint = make_endpoint(account, url="http://127.0.0.1:9/hook", name="CRM")
    call = make_call(pbx, "261207030645_1")
    delivery = make_delivery(endpoint, status=DeliveryStatus.FAILED, call=call)
    Attempt.objects.create(delivery=delivery, started_at=timezone.now(), error_class="connection",
                           error_message="Cannot connect to host 127.0.0.1:9 [Connect call failed]")
    make_delivery(endpoint, status=DeliveryStatus.DELIVERED)
    make_source(pbx)
    enable_click_to_call(pbx, "103")
    ClickToCall.objects.create(account=account, pbx=pbx, user_number="103", number_to_call="+61355501234",
                               status="failed", reason="The PBX did not answer.", driver="simulator")
    api_key_create(account=account, name="Salesforce sync")
    AllowedNetwork.objects.create(account=account, network="127.0.0.1/32", note="office")
    return account


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("main h1")


def _pattern(path: str) -> str:
    return re.sub(r"/\d+/", "/N/", path)


def _walk_console(page, base: str, visit) -> list[str]:
    """Open every distinct console page reachable by links (one of each kind: /webhooks/N/
    once) and ``visit(path)`` it; returns the paths."""
    seen, queue, pages = {"/"}, deque(["/"]), []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        page.goto(base + path)
        visit(path)
        pages.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc != urlparse(base).netloc or SKIP.match(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query and "page=" not in url.query else "")
            if _pattern(url.path) not in seen:
                seen.add(_pattern(url.path))
                queue.append(target)
    return pages


def _check(page, script: str, where: str, problems: list[str]) -> None:
    problems += [f"{where}: {v}" for v in blocking_violations(page, script)]
    problems += [f"{where}: dangling {d}" for d in dangling_describedby(page)]


def test_every_page_passes_axe_at_both_widths(browser, live_server, console):
    script = axe_script()
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        page = browser.new_page(viewport=viewport)
        # Nothing a page loads (its styles, scripts, icon) may be missing or fail.
        page.on("response", lambda r, width=width: r.url.startswith(live_server.url) and r.status >= 400
                and problems.append(f"{width}: {r.status} for {r.url}"))
        page.goto(f"{live_server.url}/login/")
        _check(page, script, f"{width} /login/", problems)
        _sign_in(page, live_server.url)
        pages = _walk_console(page, live_server.url, lambda path: _check(page, script, f"{width} {path}", problems))
        assert {"/webhooks/", "/deliveries/", "/calls/", "/api-access/keys/", "/sources/", "/audit/"} <= set(pages)
        page.close()
    assert not problems, "\n".join(problems)


# Forms sent empty or wrong, so their errors are on the page: (page, how to get the errors).
FORMS = {
    "/webhooks/new/": lambda p: p.click("button:has-text('Create endpoint')"),
    "/api-access/keys/": lambda p: (p.uncheck("input[name=scopes][value='calls:read']"), p.click("button:has-text('Create key')")),
    "/api-access/whitelist/": lambda p: (p.fill("#id_address", "10.0.0.5/8"), p.click("button:has-text('Add to whitelist')")),
    "/api-access/request-builder/": lambda p: (p.fill("#id_from_date", "2025-03-05"), p.fill("#id_to_date", "2025-03-01"),
                                               p.click("button:has-text('Build request')")),
    "/calls/?day_from=not-a-day": lambda p: None,
}


def test_form_errors_are_tied_to_their_fields(browser, live_server, console):
    script = axe_script()
    page = browser.new_page(viewport=WIDTHS["laptop"])
    _sign_in(page, live_server.url)
    problems: list[str] = []
    for path, provoke in FORMS.items():
        page.goto(live_server.url + path)
        provoke(page)
        page.wait_for_selector("[aria-invalid=true]")
        # A field, or the group (fieldset) of tick boxes it belongs to, names its error.
        for field, described in page.eval_on_selector_all("[aria-invalid=true]", """els => els.map(e => [e.id || e.value,
                e.getAttribute('aria-describedby') || e.closest('fieldset')?.getAttribute('aria-describedby') || ''])"""):
            errors = [i for i in described.split() if i.endswith("_error")]
            assert errors and page.locator(f"#{errors[0]}").is_visible(), f"{path}: {field} names no visible error"
            assert not page.text_content(f"#{errors[0]}").strip()[:1].islower(), f"{path}: {field}'s error starts lower case"
        _check(page, script, path, problems)
    assert not problems, "\n".join(problems)


def test_a_skip_link_is_the_first_stop_and_leads_to_the_content(browser, live_server, console):
    page = browser.new_page(viewport=WIDTHS["laptop"])
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/webhooks/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is inside the page's content, not the navigation.
    assert page.evaluate("document.activeElement.closest('main') !== null")
