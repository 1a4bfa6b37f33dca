"""Team management: owners invite by e-mail, set roles, remove members; an account always keeps an owner."""
import re
import socket
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.errors import HubError
from hub.models import AuditEntry, Invitation, Membership, Role
from hub.services.team import member_role_set
from tests.factories import make_member
from tests.webui.conftest import signed_in
from tests.webui.smtp import smtp_server

TEAM = reverse("webui:team")
LINK = re.compile(r"https?://[^\s\"<]+/join/[A-Za-z0-9_-]+/")


def invite(client, email="nina@example.test", role=Role.ADMIN):
    response = client.post(TEAM, {"email": email, "role": role})
    assert response.status_code == 302 and response.url == TEAM
    return client.get(TEAM).content.decode()


def link_on(page: str) -> str:
    return LINK.search(page).group(0)


def member(world, email):
    return Membership.objects.get(account=world.account, user__username=email)


def test_without_a_mail_server_the_owner_is_shown_the_link_once(owner, world, settings):
    settings.EMAIL_HOST = ""
    page = invite(owner, "Nina@Example.test")
    assert "No mail server is configured" in page and "nina@example.test" in page
    link = link_on(page)
    assert LINK.search(owner.get(TEAM).content.decode()) is None  # a refresh does not show it again
    assert Invitation.objects.get(account=world.account).email == "nina@example.test"
    assert link.split("/join/")[1].rstrip("/") not in str(Invitation.objects.values_list("token_hash", flat=True)[0])


def test_the_link_sets_a_password_and_signs_the_new_member_in(owner, world, settings):
    settings.EMAIL_HOST = ""
    link = link_on(invite(owner, role=Role.ADMIN))
    newcomer = Client()
    page = newcomer.get(link).content.decode()
    assert "Join Acme" in page and "admin" in page and "nina@example.test" in page
    mismatch = newcomer.post(link, {"password1": "a long new password", "password2": "another long one"})
    assert mismatch.status_code == 200 and "The two passwords differ." in mismatch.content.decode()
    short = newcomer.post(link, {"password1": "short", "password2": "short"})
    assert "too short" in short.content.decode()
    assert not Membership.objects.filter(user__username="nina@example.test").exists()

    response = newcomer.post(link, {"password1": "a long new password", "password2": "a long new password"})
    assert response.status_code == 302 and response.url == reverse("webui:dashboard")
    assert "Welcome to Acme" in newcomer.get(response.url).content.decode()
    assert member(world, "nina@example.test").role == Role.ADMIN
    assert not Invitation.objects.exists()
    assert Client().login(username="nina@example.test", password="a long new password")
    used = Client().get(link)
    assert used.status_code == 404 and "not valid" in used.content.decode()
    assert AuditEntry.objects.filter(account=world.account, action="member.joined").exists()


def test_with_a_mail_server_the_link_is_mailed_and_not_shown(owner, world, settings):
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        page = invite(owner, "nina@example.test", Role.VIEWER)
    assert "Invitation sent to nina@example.test" in page and LINK.search(page) is None
    (mail,) = received
    assert mail["To"] == "nina@example.test" and "Acme" in mail["Subject"]
    link = link_on(mail.get_content())
    assert Client().post(link, {"password1": "a long new password", "password2": "a long new password"}).status_code == 302
    assert member(world, "nina@example.test").role == Role.VIEWER


def test_a_mail_server_that_cannot_be_reached_still_leaves_a_usable_link(owner, world, settings):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    page = invite(owner)
    assert f"The invitation was not mailed: nothing accepted the connection at 127.0.0.1:{port}" in page
    assert Client().get(link_on(page)).status_code == 200


def test_someone_with_a_sign_in_joins_only_when_signed_in_as_that_address(owner, admin, world, settings):
    settings.EMAIL_HOST = ""
    outsider = make_member(world.other, "gus@globex.test", Role.OWNER, password="gus's own password")
    link = link_on(invite(owner, "gus@globex.test", Role.VIEWER))
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("webui:login"))
    assert Client().post(link, {"password1": "taken over!!", "password2": "taken over!!"}).status_code == 302
    wrong = admin.get(link).content.decode()
    assert "signed in as adam@acme.test" in wrong and 'name="password1"' not in wrong
    admin.post(link)
    assert not Membership.objects.filter(account=world.account, user=outsider).exists()

    gus = signed_in(outsider)
    assert "Join Acme" in gus.get(link).content.decode()
    assert gus.post(link).url == reverse("webui:dashboard")
    assert member(world, "gus@globex.test").role == Role.VIEWER
    outsider.refresh_from_db()
    assert outsider.check_password("gus's own password")
    assert "Acme" in gus.get(reverse("webui:dashboard")).content.decode()  # now working in the new account


def test_inviting_needs_a_valid_address_and_someone_not_yet_a_member(owner, world):
    bad = owner.post(TEAM, {"email": "not an address", "role": Role.ADMIN})
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    again = owner.post(TEAM, {"email": "ADAM@acme.test", "role": Role.ADMIN})
    assert "Already a member of this account: adam@acme.test." in again.content.decode()
    assert owner.post(TEAM, {"email": "x@example.test", "role": "superuser"}).status_code == 200
    assert not Invitation.objects.exists()


def test_a_new_link_replaces_the_old_and_a_withdrawn_or_expired_one_stops_working(owner, world, settings):
    settings.EMAIL_HOST = ""
    first = link_on(invite(owner))
    invitation = Invitation.objects.get()
    owner.post(reverse("webui:team-invitation-renew", args=[invitation.pk]))
    second = link_on(owner.get(TEAM).content.decode())
    assert Client().get(first).status_code == 404 and Client().get(second).status_code == 200
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(second).status_code == 404
    owner.post(reverse("webui:team-invitation-revoke", args=[invitation.pk]))
    assert not Invitation.objects.exists()
    assert AuditEntry.objects.filter(action="invitation.revoked").exists()


def test_an_owner_sets_roles_and_removes_members(owner, world):
    page = owner.get(TEAM).content.decode()
    assert all(email in page for email in ("olivia@acme.test", "adam@acme.test", "vera@acme.test"))
    vera = member(world, "vera@acme.test")
    assert owner.post(reverse("webui:team-role", args=[vera.pk]), {"role": Role.ADMIN}).url == TEAM
    assert "vera@acme.test is now admin." in owner.get(TEAM).content.decode()
    vera.refresh_from_db()
    assert vera.role == Role.ADMIN
    removal = reverse("webui:team-remove", args=[vera.pk])
    assert "Remove member" in owner.post(removal).content.decode()  # asks first without JavaScript
    assert Membership.objects.filter(pk=vera.pk).exists()
    owner.post(removal, {"confirm": "yes"})
    assert not Membership.objects.filter(pk=vera.pk).exists()
    assert signed_in(world.viewer).get(reverse("webui:dashboard")).status_code == 404  # no account left to see
    actions = set(AuditEntry.objects.filter(account=world.account).values_list("action", flat=True))
    assert {"member.role_changed", "member.removed"} <= actions


def test_the_last_owner_can_be_neither_demoted_nor_removed(owner, world):
    olivia = member(world, "olivia@acme.test")
    response = owner.post(reverse("webui:team-role", args=[olivia.pk]), {"role": Role.ADMIN}, follow=True)
    assert "last owner" in response.content.decode()
    owner.post(reverse("webui:team-remove", args=[olivia.pk]), {"confirm": "yes"})
    olivia.refresh_from_db()
    assert olivia.role == Role.OWNER

    adam = member(world, "adam@acme.test")
    owner.post(reverse("webui:team-role", args=[adam.pk]), {"role": Role.OWNER})
    assert owner.post(reverse("webui:team-role", args=[olivia.pk]), {"role": Role.VIEWER}).url == reverse("webui:dashboard")
    olivia.refresh_from_db()
    assert olivia.role == Role.VIEWER  # another owner remained
    adam_client = signed_in(world.admin)
    adam_client.post(reverse("webui:team-remove", args=[adam.pk]), {"confirm": "yes"})
    assert Membership.objects.filter(account=world.account, role=Role.OWNER).count() == 1


def test_only_owners_see_and_use_the_team_page(admin, viewer, owner, world):
    vera = member(world, "vera@acme.test")
    for client in (admin, viewer):
        assert client.get(TEAM).status_code == 403
        assert client.post(TEAM, {"email": "x@example.test", "role": Role.OWNER}).status_code == 403
        assert client.post(reverse("webui:team-role", args=[vera.pk]), {"role": Role.OWNER}).status_code == 403
        assert client.post(reverse("webui:team-remove", args=[vera.pk]), {"confirm": "yes"}).status_code == 403
        assert TEAM not in client.get(reverse("webui:dashboard")).content.decode()
    assert TEAM in owner.get(reverse("webui:dashboard")).content.decode()
    vera.refresh_from_db()
    assert vera.role == Role.VIEWER and not Invitation.objects.exists()


def test_an_owner_never_sees_or_changes_another_accounts_members(owner, world, settings):
    settings.EMAIL_HOST = ""
    gus = Membership.objects.get(user=make_member(world.other, "gus@globex.test", Role.OWNER))
    theirs = Invitation.objects.create(account=world.other, email="new@globex.test", token_hash="x" * 64,
                                       expires_at=timezone.now() + timedelta(days=1))
    assert "globex" not in owner.get(TEAM).content.decode()
    assert owner.post(reverse("webui:team-role", args=[gus.pk]), {"role": Role.VIEWER}).status_code == 404
    assert owner.post(reverse("webui:team-remove", args=[gus.pk]), {"confirm": "yes"}).status_code == 404
    assert owner.post(reverse("webui:team-invitation-renew", args=[theirs.pk])).status_code == 404
    assert owner.post(reverse("webui:team-invitation-revoke", args=[theirs.pk])).status_code == 404
    gus.refresh_from_db()
    assert gus.role == Role.OWNER and Invitation.objects.filter(pk=theirs.pk, token_hash="x" * 64).exists()
    assert not AuditEntry.objects.filter(account=world.other).exists()


def test_an_owner_of_one_account_and_viewer_of_another_manages_only_the_first(owner, world):
    Membership.objects.create(user=world.owner, account=world.other, role=Role.VIEWER)
    owner.post(reverse("webui:switch-account"), {"account": world.other.slug})
    assert owner.get(TEAM).status_code == 403
    assert owner.post(TEAM, {"email": "x@example.test", "role": Role.OWNER}).status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(world):
    """Each request runs in its own thread and connection; the account's row lock makes one wait
    for the other, which then finds it would leave no owner (or that its own owner role is gone)."""
    from django.db import connection

    second = make_member(world.account, "otto@acme.test", Role.OWNER)
    pairs = [(world.owner, member(world, "otto@acme.test").pk), (second, member(world, "olivia@acme.test").pk)]
    start, outcomes = threading.Barrier(2), []

    def demote(user, membership_id):
        try:
            start.wait()
            member_role_set(account=world.account, membership_id=membership_id, role=Role.ADMIN, user=user)
            outcomes.append("demoted")
        except HubError:  # the last owner, or no longer an owner: either way nothing changed
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Membership.objects.filter(account=world.account, role=Role.OWNER).count() == 1


def test_an_invitation_links_token_is_masked_in_log_lines(owner, settings):
    from hub.log_redaction import redact

    settings.EMAIL_HOST = ""
    link = link_on(invite(owner))
    path = link.split("://", 1)[1].split("/", 1)[1]
    line = f'127.0.0.1 - - "GET /{path} HTTP/1.1" 200 2310 "-" "Mozilla/5.0"'
    assert redact(line) == '127.0.0.1 - - "GET /join/***/ HTTP/1.1" 200 2310 "-" "Mozilla/5.0"'
    token = path.split("/")[1]
    sign_in = f'"GET /login/?next=%2Fjoin%2F{token}%2F HTTP/1.1" 200'
    assert redact(sign_in) == '"GET /login/?next=%2Fjoin%2F***%2F HTTP/1.1" 200'


def test_a_link_made_in_one_account_is_not_shown_on_anothers_team_page(owner, world, settings):
    settings.EMAIL_HOST = ""
    Membership.objects.create(user=world.owner, account=world.other, role=Role.OWNER)
    owner.post(TEAM, {"email": "nina@example.test", "role": Role.VIEWER})
    owner.post(reverse("webui:switch-account"), {"account": world.other.slug})
    page = owner.get(TEAM).content.decode()
    assert "Globex" in page and LINK.search(page) is None and 'data-invitation="nina@example.test"' not in page
