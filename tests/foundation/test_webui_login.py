import pytest
from django.urls import reverse

from hub.models import Role
from tests.factories import make_account, make_member


@pytest.mark.django_db
def test_dashboard_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("webui:login"))


@pytest.mark.django_db
def test_member_signs_in_and_sees_their_account(client):
    account, pbx, _ = make_account("acme")
    make_member(account, "ann@acme.test", Role.OWNER, password="a long password 1")
    response = client.post(reverse("webui:login"), {"username": "ann@acme.test", "password": "a long password 1"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme" in page and pbx.slug in page


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client):
    account, _, _ = make_account("acme")
    make_member(account, "ann@acme.test")
    response = client.post(reverse("webui:login"), {"username": "ann@acme.test", "password": "nope"})
    assert "didn&#x27;t match" in response.content.decode() or "didn't match" in response.content.decode()


@pytest.mark.django_db
def test_account_switch_cannot_enter_another_account(client):
    acme, _, _ = make_account("acme")
    make_account("globex")
    user = make_member(acme, "ann@acme.test")
    client.force_login(user)
    client.post(reverse("webui:switch-account"), {"account": "globex"})
    page = client.get("/").content.decode()
    assert "Acme" in page and "Globex" not in page


@pytest.mark.django_db
def test_login_form_is_csrf_protected():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("webui:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_operator_admin_is_for_superusers_only(client):
    account, _, _ = make_account("acme")
    client.force_login(make_member(account, "ann@acme.test", Role.OWNER))
    assert client.get("/admin/hub/pbxuser/").status_code == 302  # to the admin login


@pytest.mark.django_db
def test_admin_edit_of_a_directory_name_is_kept(admin_client):
    from hub.models import PbxUser

    _, pbx, _ = make_account("acme")
    user = PbxUser.objects.create(pbx=pbx, number="102", name="Jose")
    response = admin_client.post(f"/admin/hub/pbxuser/{user.pk}/change/", {"pbx": pbx.pk, "number": "102", "name": "José Álvarez", "email": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "José Álvarez" and user.edited_by_admin
