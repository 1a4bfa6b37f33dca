"""In Chromium, the source form shows only the fields of the kind of source chosen."""
import pytest

from hub.models import IngestSource, Role
from tests.factories import make_account, make_member

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test password"


def test_the_source_form_asks_only_for_the_chosen_kinds_fields(browser, live_server):
    _, pbx, _ = make_account("acme")
    make_member(pbx.account, "olivia@acme.test", Role.OWNER, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "olivia@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/sources/{pbx.slug}/new/")
    page.select_option("#id_kind", "callflow_log")
    assert page.is_visible("#id_path") and page.is_visible("#id_rules_path")
    assert not page.is_visible("#id_port") and not page.is_visible("#id_allowed_networks")
    page.select_option("#id_kind", "cdr_file")
    assert page.is_visible("#id_path") and not page.is_visible("#id_rules_path") and not page.is_visible("#id_port")
    page.select_option("#id_kind", "cdr_socket")
    assert not page.is_visible("#id_path") and page.is_visible("#id_port") and page.is_visible("#id_allowed_networks")
    page.fill("#id_port", "15001")
    page.click("button:has-text('Save source')")
    page.wait_for_selector("main h1")
    assert IngestSource.objects.get(pbx=pbx).port == 15001
