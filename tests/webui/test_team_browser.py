"""Team management in Debian's Chromium: an owner on a phone invites someone, the newcomer sets a
password through the link and reads as a viewer, then the owner on a laptop promotes and removes them."""
from __future__ import annotations

import pytest
from django.urls import reverse

from hub.models import Membership, Role
from tests.webui.test_browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OWNER_PASSWORD = "correct horse battery"  # tests.factories.make_member's
NEW_PASSWORD = "a brand new long password"


def _sign_in(page, base, email, password):
    page.goto(f"{base}{reverse('webui:login')}")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("main h1")


def _open_menu_and_go(page, name):
    page.click("button[aria-controls=main-nav]")
    page.click(f"#main-nav a:has-text('{name}')")
    page.wait_for_selector(f"main h1:has-text('{name}')")


def test_an_owner_invites_a_viewer_who_joins_and_is_then_promoted_and_removed(browser, live_server, world, settings):
    settings.EMAIL_HOST = ""  # no mail server: the owner is shown the link
    base = live_server.url
    owner = browser.new_context(viewport=PHONE).new_page()
    _sign_in(owner, base, "olivia@acme.test", OWNER_PASSWORD)
    _open_menu_and_go(owner, "Team")
    owner.fill("#id_email", "nina@example.test")
    owner.select_option("#id_role", "viewer")
    owner.click("button:has-text('Invite')")
    owner.wait_for_selector("text=No mail server is configured")
    link = owner.input_value("#invite-link")
    assert "/join/" in link and owner.locator("[data-invitation='nina@example.test']").is_visible()
    shoot(owner, "team-phone")
    owner.reload()
    assert owner.locator("#invite-link").count() == 0  # shown once: a refresh neither repeats nor shows it

    newcomer = browser.new_context(viewport=PHONE).new_page()
    newcomer.goto(link)
    assert "Join Acme" in newcomer.text_content("h1")
    newcomer.fill("#id_password1", NEW_PASSWORD)
    newcomer.fill("#id_password2", NEW_PASSWORD)
    shoot(newcomer, "join", full=False)
    newcomer.click("button:has-text('Set password and join')")
    newcomer.wait_for_selector("text=Welcome to Acme")
    assert newcomer.url.rstrip("/") == base
    # A viewer is offered no form: no "Add endpoint", and the form's address answers 403.
    newcomer.goto(f"{base}{reverse('webui:webhooks')}")
    assert newcomer.locator("main a:has-text('Add endpoint')").count() == 0
    response = newcomer.goto(f"{base}{reverse('webui:webhook-new')}")
    assert response.status == 403 and newcomer.locator("form[method=post] input[name=url]").count() == 0
    assert newcomer.goto(f"{base}{reverse('webui:team')}").status == 403

    laptop = browser.new_context(viewport=LAPTOP).new_page()
    _sign_in(laptop, base, "olivia@acme.test", OWNER_PASSWORD)
    laptop.goto(f"{base}{reverse('webui:team')}")
    row = laptop.locator("[data-member='nina@example.test']")
    row.locator("select").select_option("admin")
    row.locator("button:has-text('Set role')").click()
    laptop.wait_for_selector("text=nina@example.test is now admin.")
    newcomer.goto(f"{base}{reverse('webui:webhooks')}")
    assert newcomer.locator("main a:has-text('Add endpoint')").count() > 0
    shoot(laptop, "team")

    mine = laptop.locator("[data-member='olivia@acme.test']")
    mine.locator("select").select_option("viewer")
    mine.locator("button:has-text('Set role')").click()
    laptop.wait_for_selector("text=last owner")
    assert Membership.objects.get(user=world.owner, account=world.account).role == Role.OWNER

    laptop.locator("[data-member='nina@example.test'] button:has-text('Remove')").click()
    laptop.click("dialog[open] button:has-text('Remove member')")
    laptop.wait_for_selector("text=Removed nina@example.test from the team.")
    assert laptop.locator("[data-member='nina@example.test']").count() == 0
    assert newcomer.goto(f"{base}{reverse('webui:dashboard')}").status == 404  # no account left
    for page in (owner, newcomer, laptop):
        page.context.close()
