"""Every page: who may see it, who may change things through it, and CSRF on every form."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from hub.models import AllowedNetwork, ApiKey, WebhookComponent
from hub.services.api_keys import api_key_create
from tests.webui.conftest import make_call, make_delivery, make_endpoint, make_source, signed_in


@pytest.fixture
def objects(world):
    endpoint = make_endpoint(world.account)
    key, _ = api_key_create(account=world.account, name="crm")
    return {
        "endpoint": endpoint.pk, "delivery": make_delivery(endpoint).pk, "key": key.pk,
        "network": AllowedNetwork.objects.create(account=world.account, network="203.0.113.7/32").pk,
        "source": make_source(world.pbx).pk, "call": make_call(world.pbx).unique_call_id,
        "component": WebhookComponent.objects.create(account=world.account, name="VIP", condition="dialled_did", target="1300").pk,
        "pbx": world.pbx.slug, "member": world.viewer.memberships.get().pk,
    }


READ_PAGES = [  # (url name, kwargs keys from `objects`)
    ("webui:dashboard", {}), ("webui:api-keys", {}), ("webui:whitelist", {}), ("webui:api-builder", {}),
    ("webui:webhooks", {}), ("webui:webhook", {"endpoint_id": "endpoint"}), ("webui:deliveries", {}),
    ("webui:delivery", {"delivery_id": "delivery"}), ("webui:calls", {}), ("webui:call", {"unique_call_id": "call"}),
    ("webui:click-to-call", {}), ("webui:sources", {}), ("webui:retention", {}),
]
FORM_PAGES = [  # pages that are nothing but a form to create or change something
    ("webui:webhook-new", {}), ("webui:webhook-edit", {"endpoint_id": "endpoint"}),
    ("webui:source-new", {"pbx_slug": "pbx"}), ("webui:source-edit", {"source_id": "source"}),
    ("webui:component-new", {}), ("webui:component-edit", {"component_id": "component"}),
    ("webui:pbx-edit", {"pbx_slug": "pbx"}),
]
PAGES = READ_PAGES + FORM_PAGES
OWNER_PAGES = [("webui:audit", {}), ("webui:team", {})]
POSTS = [
    ("webui:api-keys", {}), ("webui:api-key-revoke", {"key_id": "key"}), ("webui:whitelist", {}),
    ("webui:whitelist-remove", {"network_id": "network"}), ("webui:webhook-new", {}),
    ("webui:webhook-edit", {"endpoint_id": "endpoint"}), ("webui:webhook-test", {"endpoint_id": "endpoint"}),
    ("webui:webhook-enabled", {"endpoint_id": "endpoint"}), ("webui:webhook-secret-reveal", {"endpoint_id": "endpoint"}),
    ("webui:webhook-secret-rotate", {"endpoint_id": "endpoint"}), ("webui:webhook-recover", {"endpoint_id": "endpoint"}),
    ("webui:webhook-delete", {"endpoint_id": "endpoint"}), ("webui:delivery-redeliver", {"delivery_id": "delivery"}),
    ("webui:click-to-call", {}), ("webui:source-new", {"pbx_slug": "pbx"}), ("webui:source-edit", {"source_id": "source"}),
    ("webui:source-delete", {"source_id": "source"}), ("webui:component-new", {}),
    ("webui:component-edit", {"component_id": "component"}), ("webui:component-delete", {"component_id": "component"}),
    ("webui:retention", {}),
]


def _post_forms_beyond_sign_out(response) -> list[str]:
    """The POST forms on a page besides the two anyone signed in may send: sign out, switch account."""
    forms = re.findall(r'<form[^>]*method="post"[^>]*>', response.content.decode())
    return [f for f in forms if reverse("webui:logout") not in f and reverse("webui:switch-account") not in f]


def url(name, kwargs, objects):
    return reverse(name, kwargs={k: objects[v] for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs"), PAGES + OWNER_PAGES)
def test_every_page_renders_for_the_owner(owner, objects, name, kwargs):
    response = owner.get(url(name, kwargs, objects))
    assert response.status_code == 200, response.content[:500]
    assert b"<main" in response.content


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_viewers_read_every_page_and_see_no_form_they_cannot_submit(viewer, objects, name, kwargs):
    response = viewer.get(url(name, kwargs, objects))
    assert response.status_code == 200
    assert _post_forms_beyond_sign_out(response) == []


@pytest.mark.parametrize(("name", "kwargs"), FORM_PAGES)
def test_viewers_cannot_open_a_create_or_edit_form(viewer, admin, objects, name, kwargs):
    response = viewer.get(url(name, kwargs, objects))
    assert response.status_code == 403
    assert b"viewer" in response.content and _post_forms_beyond_sign_out(response) == []
    assert admin.get(url(name, kwargs, objects)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES + OWNER_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, objects, name, kwargs):
    response = client.get(url(name, kwargs, objects))
    assert response.status_code == 302 and response.url.startswith(reverse("webui:login"))


@pytest.mark.parametrize(("name", "kwargs"), POSTS)
def test_viewers_cannot_post_anything(viewer, objects, name, kwargs):
    before = (ApiKey.objects.filter(revoked_at__isnull=True).count(), AllowedNetwork.objects.count())
    response = viewer.post(url(name, kwargs, objects), {"confirm": "yes", "name": "x", "scopes": ["calls:read"],
                                                          "address": "198.51.100.1"})
    assert response.status_code == 403
    assert b"viewer" in response.content
    assert (ApiKey.objects.filter(revoked_at__isnull=True).count(), AllowedNetwork.objects.count()) == before


TEAM_POSTS = [("webui:team", {}), ("webui:team-role", {"membership_id": "member"}),
              ("webui:team-remove", {"membership_id": "member"})]


@pytest.mark.parametrize(("name", "kwargs"), POSTS + TEAM_POSTS + [("webui:switch-account", {}), ("webui:logout", {})])
def test_every_form_is_csrf_protected(world, objects, name, kwargs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.post(url(name, kwargs, objects), {"confirm": "yes"})
    assert response.status_code == 403


def test_every_rendered_form_carries_a_csrf_token(owner, objects):
    for name, kwargs in PAGES + OWNER_PAGES:
        page = owner.get(url(name, kwargs, objects)).content.decode()
        assert page.count('method="post"') == page.count("csrfmiddlewaretoken"), name


def test_the_audit_log_is_for_owners_only(admin, viewer, owner):
    assert admin.get(reverse("webui:audit")).status_code == 403
    assert viewer.get(reverse("webui:audit")).status_code == 403
    assert owner.get(reverse("webui:audit")).status_code == 200
    assert b"Audit log" not in admin.get(reverse("webui:dashboard")).content
    assert b"Audit log" in owner.get(reverse("webui:dashboard")).content


def test_a_user_without_an_account_gets_a_404(db, django_user_model):
    user = django_user_model.objects.create_user("loner@example.test", "loner@example.test", "pw-long-enough")
    assert signed_in(user).get(reverse("webui:dashboard")).status_code == 404
