"""PBX sources (push URLs, file/CDR sources), webhook components, and the audit log."""
from django.urls import reverse

from hub.models import AuditEntry, IngestSource, WebhookComponent
from tests.webui.conftest import make_source


def test_push_urls_with_their_token_are_shown_to_editors_only(admin, viewer, world):
    token = world.pbx.ingest_token
    page = admin.get(reverse("webui:sources")).content.decode()
    assert f"http://testserver/ingest/events/{token}/" in page and f"http://testserver/ingest/3cx-webhook/{token}/" in page
    assert token not in viewer.get(reverse("webui:sources")).content.decode()


def test_adding_a_source_validates_and_audits(admin, world):
    url = reverse("webui:source-new", args=[world.pbx.slug])
    assert "Give the file to follow" in admin.post(url, {"kind": "callflow_log", "path": ""}).content.decode()
    assert "A CDR socket needs the TCP port" in admin.post(url, {"kind": "cdr_socket"}).content.decode()
    assert "is not an address or CIDR range" in admin.post(url, {"kind": "cdr_socket", "port": "5000", "allowed_networks": "x"}).content.decode()
    response = admin.post(url, {"kind": "cdr_socket", "port": "5000", "allowed_networks": "198.51.100.10, 10.0.0.0/8", "enabled": "on"})
    assert response.status_code == 302
    source = IngestSource.objects.get(pbx=world.pbx)
    assert source.port == 5000 and source.allowed_networks == ["198.51.100.10/32", "10.0.0.0/8"]
    assert AuditEntry.objects.get(action="ingest_source.created").actor == "adam@acme.test"


def test_editing_a_sources_path_restarts_it_from_the_top_and_removal_asks(admin, world):
    source = make_source(world.pbx, position={"offset": 99})
    admin.post(reverse("webui:source-edit", args=[source.pk]), {"kind": "callflow_log", "path": "/new/3CXCallFlow.log", "enabled": "on"})
    source.refresh_from_db()
    assert source.path == "/new/3CXCallFlow.log" and source.position is None
    delete = reverse("webui:source-delete", args=[source.pk])
    assert "Remove this source?" in admin.post(delete).content.decode()
    admin.post(delete, {"confirm": "yes"})
    assert not IngestSource.objects.exists()
    assert AuditEntry.objects.filter(action="ingest_source.deleted").exists()


def test_components_are_created_edited_and_deleted_with_audit(admin, world):
    new = reverse("webui:component-new")
    assert "Say how many seconds" in admin.post(new, {"name": "Long wait", "condition": "queue_wait_over", "target": "822"}).content.decode()
    admin.post(new, {"name": "Long wait", "condition": "queue_wait_over", "target": "822", "seconds": "120",
                     "headers": "X-Priority: high", "enabled": "on"})
    component = WebhookComponent.objects.get(account=world.account)
    assert component.seconds == 120 and component.headers == {"X-Priority": "high"}
    assert "already exists" in admin.post(new, {"name": "Long wait", "condition": "dialled_did", "target": "1"}).content.decode()
    admin.post(reverse("webui:component-edit", args=[component.pk]), {"name": "Long wait", "condition": "queue_wait_over",
                                                                       "target": "823", "seconds": "60"})
    component.refresh_from_db()
    assert component.target == "823" and not component.enabled
    admin.post(reverse("webui:component-delete", args=[component.pk]), {"confirm": "yes"})
    assert not WebhookComponent.objects.exists()
    actions = set(AuditEntry.objects.filter(account=world.account).values_list("action", flat=True))
    assert {"component.created", "component.updated", "component.deleted"} <= actions


def test_the_audit_log_lists_and_filters_changes(owner, admin, world):
    admin.post(reverse("webui:whitelist"), {"address": "203.0.113.9"})
    admin.post(reverse("webui:api-keys"), {"name": "crm", "scopes": ["calls:read"]})
    page = owner.get(reverse("webui:audit")).content.decode()
    assert 'data-audit="allowed_network.added"' in page and 'data-audit="api_key.created"' in page
    assert "adam@acme.test" in page
    only_keys = owner.get(reverse("webui:audit"), {"kind": "api_key"}).content.decode()
    assert 'data-audit="api_key.created"' in only_keys and 'data-audit="allowed_network.added"' not in only_keys
    assert "Nothing recorded that matches" in owner.get(reverse("webui:audit"), {"actor": "nobody"}).content.decode()
