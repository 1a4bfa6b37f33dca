"""The console's small things: a favicon, optional fields that are optional, a source form that
asks only for its kind's fields, "just now", one case for status pills, a way to the API docs."""
from datetime import timedelta

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from hub.models import ApiKey, IngestSource, SourceKind
from hub.services.api_keys import api_key_create
from tests.webui.conftest import make_call


def test_the_favicon_is_there(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/webui/favicon.svg")
    assert finders.find("webui/favicon.svg")


def test_every_page_links_to_the_api_docs(viewer):
    for name in ("webui:dashboard", "webui:calls", "webui:api-keys"):
        assert f'href="{reverse("api-docs")}"' in viewer.get(reverse(name)).content.decode(), name


def test_a_file_source_needs_its_path_and_a_socket_does_not(admin, world):
    url = reverse("webui:source-new", args=[world.pbx.slug])
    form = admin.get(url).content.decode()
    assert "File path</label>" in form and "File path <span" not in form  # not marked optional
    assert 'data-show-for="#id_kind" data-show-values="cdr_socket"' in form
    page = admin.post(url, {"kind": SourceKind.CALLFLOW_LOG, "path": ""}).content.decode()
    assert 'id="id_path_error"' in page and "Give the file to follow" in page
    assert not IngestSource.objects.exists()
    admin.post(url, {"kind": SourceKind.CDR_SOCKET, "port": "5432", "listen_host": "127.0.0.1", "enabled": "on"})
    assert IngestSource.objects.get(pbx=world.pbx).port == 5432
    page = admin.post(url, {"kind": SourceKind.CDR_SOCKET}).content.decode()
    assert 'id="id_port_error"' in page and "A CDR socket needs the TCP port 3CX connects to." in page


def test_a_moment_ago_reads_just_now(admin, world):
    key, _ = api_key_create(account=world.account, name="fresh")
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    older, _ = api_key_create(account=world.account, name="older")
    ApiKey.objects.filter(pk=older.pk).update(last_used_at=timezone.now() - timedelta(minutes=5, seconds=3))
    page = admin.get(reverse("webui:api-keys")).content.decode()
    assert "just now" in page and "5\xa0minutes ago" in page and "0\xa0minutes" not in page


def test_status_pills_are_all_lower_case(viewer, world):
    make_call(world.pbx, "c-live", state="in_progress", connected_at=None)
    make_call(world.pbx, "c-done")
    page = viewer.get(reverse("webui:calls")).content.decode()
    assert '<span class="pill info">in progress</span>' in page and '<span class="pill ok">answered</span>' in page
    assert ">In Progress</span>" not in page
