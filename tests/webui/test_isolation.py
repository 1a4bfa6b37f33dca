"""Another account's objects are a 404 on every page and every form, never shown or changed."""
import pytest
from django.urls import reverse

from hub.models import AllowedNetwork, ApiKey, IngestSource, WebhookComponent, WebhookEndpoint
from hub.services.api_keys import api_key_create
from tests.webui.conftest import make_call, make_delivery, make_endpoint, make_source


@pytest.fixture
def theirs(world):
    endpoint = make_endpoint(world.other, url="https://globex.example.com/hook")
    key, _ = api_key_create(account=world.other, name="globex-crm")
    return {
        "endpoint_id": endpoint.pk, "delivery_id": make_delivery(endpoint).pk, "key_id": key.pk,
        "network_id": AllowedNetwork.objects.create(account=world.other, network="198.51.100.0/24").pk,
        "source_id": make_source(world.other_pbx).pk, "unique_call_id": make_call(world.other_pbx, "globexcall_1").unique_call_id,
        "component_id": WebhookComponent.objects.create(account=world.other, name="G", condition="dialled_did", target="1").pk,
        "pbx_slug": world.other_pbx.slug,
    }


READS = [("webui:webhook", "endpoint_id"), ("webui:webhook-edit", "endpoint_id"), ("webui:delivery", "delivery_id"),
         ("webui:call", "unique_call_id"), ("webui:source-new", "pbx_slug"), ("webui:source-edit", "source_id"),
         ("webui:component-edit", "component_id")]
WRITES = [("webui:api-key-revoke", "key_id"), ("webui:whitelist-remove", "network_id"), ("webui:webhook-edit", "endpoint_id"),
          ("webui:webhook-test", "endpoint_id"), ("webui:webhook-enabled", "endpoint_id"),
          ("webui:webhook-secret-reveal", "endpoint_id"), ("webui:webhook-secret-rotate", "endpoint_id"),
          ("webui:webhook-recover", "endpoint_id"), ("webui:webhook-delete", "endpoint_id"),
          ("webui:delivery-redeliver", "delivery_id"), ("webui:source-new", "pbx_slug"), ("webui:source-edit", "source_id"),
          ("webui:source-delete", "source_id"), ("webui:component-edit", "component_id"), ("webui:component-delete", "component_id")]


@pytest.mark.parametrize(("name", "arg"), READS)
def test_reading_another_accounts_object_is_a_404(owner, theirs, name, arg):
    response = owner.get(reverse(name, kwargs={arg: theirs[arg]}))
    assert response.status_code == 404
    assert b"globex" not in response.content.lower()


@pytest.mark.parametrize(("name", "arg"), WRITES)
def test_changing_another_accounts_object_is_a_404(owner, theirs, name, arg):
    response = owner.post(reverse(name, kwargs={arg: theirs[arg]}), {"confirm": "yes", "enabled": "0", "trigger": "user_inbound"})
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=theirs["key_id"]).revoked_at is None
    assert AllowedNetwork.objects.filter(pk=theirs["network_id"]).exists()
    assert WebhookEndpoint.objects.get(pk=theirs["endpoint_id"]).enabled
    assert IngestSource.objects.filter(pk=theirs["source_id"]).exists()
    assert WebhookComponent.objects.filter(pk=theirs["component_id"]).exists()


def test_lists_show_only_the_current_accounts_rows(owner, world, theirs):
    make_endpoint(world.account, url="https://acme.example.com/hook")
    for name in ("webui:webhooks", "webui:deliveries", "webui:calls", "webui:api-keys", "webui:whitelist", "webui:sources", "webui:dashboard"):
        page = owner.get(reverse(name)).content.decode()
        assert "globex" not in page.lower(), name
        assert "198.51.100.0" not in page, name


def test_switching_account_shows_the_other_accounts_data(world, theirs):
    from hub.models import Membership, Role
    from tests.webui.conftest import signed_in

    Membership.objects.create(user=world.owner, account=world.other, role=Role.VIEWER)
    client = signed_in(world.owner)
    client.post(reverse("webui:switch-account"), {"account": "globex"})
    assert b"globex.example.com" in client.get(reverse("webui:webhooks")).content
    assert client.post(reverse("webui:api-keys"), {"name": "x", "scopes": ["calls:read"]}).status_code == 403  # a viewer there
