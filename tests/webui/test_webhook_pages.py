"""Webhook endpoints: the form, trigger tick boxes, the test button, secrets, enable/disable, delete."""
from django.urls import reverse

from hub.models import AuditEntry, SigningSecret, WebhookEndpoint
from tests.webui.conftest import make_delivery, make_endpoint
from tests.webui.receiver import receiver

VALID = {"url": "https://crm.example.com/hooks", "dialect": "json", "triggers": ["user_inbound", "queue_call"],
         "timeout_seconds": "10", "enabled": "on"}


def test_the_form_lists_every_trigger_by_family_with_its_sample(admin):
    page = admin.get(reverse("webui:webhook-new")).content.decode()
    for family in ("User calls", "Queues &amp; ring groups", "Queue legs (3CX Call Events to REST)"):
        assert family in page
    assert 'name="triggers" value="call_received"' in page
    assert "Fields and sample payload" in page and "&quot;unique_call_id&quot;" in page


def test_creating_an_endpoint_shows_its_signing_secret_once_and_audits(admin, world):
    response = admin.post(reverse("webui:webhook-new"), VALID | {
        "name": "CRM", "secret_token": "s3cret", "headers": "X-Tenant: acme", "filter_queues": "822, Support"})
    endpoint = WebhookEndpoint.objects.get(account=world.account)
    # POST/redirect/GET: a refresh of the page shown next repeats the GET, not the create.
    assert response.status_code == 302 and response["Location"] == reverse("webui:webhook", args=[endpoint.pk])
    page = admin.get(response["Location"]).content.decode()
    secret = SigningSecret.objects.get(endpoint=endpoint).secret
    assert secret in page and "shown here once" in page
    assert endpoint.triggers == ["user_inbound", "queue_call"] and endpoint.secret_token == "s3cret"
    assert endpoint.headers == {"X-Tenant": "acme"} and endpoint.filters == {"queues": ["822", "Support"]}
    assert AuditEntry.objects.filter(account=world.account, action="webhook.created", actor="adam@acme.test").exists()
    assert secret not in admin.get(reverse("webui:webhook", args=[endpoint.pk])).content.decode()


def test_the_plugin_settings_are_set_in_the_form_and_shown_on_the_endpoints_page(admin, world):
    response = admin.post(reverse("webui:webhook-new"), VALID | {
        "dialect": "3cx-plugin-post", "recording_url": "https://crm.example.com/records"})  # full info unticked
    endpoint = WebhookEndpoint.objects.get(account=world.account)
    assert (endpoint.recording_url, endpoint.recording_full_info) == ("https://crm.example.com/records", False)
    page = admin.get(response["Location"]).content.decode()
    assert "https://crm.example.com/records" in page and "RECORDING_FULL_INFO=0" in page
    edit = admin.get(reverse("webui:webhook-edit", args=[endpoint.pk])).content.decode()
    assert 'value="https://crm.example.com/records"' in edit and "WEBHOOK_POST_URL" in edit
    admin.post(reverse("webui:webhook-edit", args=[endpoint.pk]), VALID | {
        "dialect": "3cx-plugin-post", "recording_full_info": "on"})
    endpoint.refresh_from_db()
    assert (endpoint.recording_url, endpoint.recording_full_info) == ("", True)


def test_no_retries_is_chosen_in_the_form_and_kept_when_the_form_leaves_it_out(admin, world):
    admin.post(reverse("webui:webhook-new"), VALID | {"retry_policy": "none"})
    endpoint = WebhookEndpoint.objects.get(account=world.account)
    assert endpoint.retry_policy == "none"
    assert "none: one attempt per event" in admin.get(reverse("webui:webhook", args=[endpoint.pk])).content.decode()
    admin.post(reverse("webui:webhook-edit", args=[endpoint.pk]), VALID)
    endpoint.refresh_from_db()
    assert endpoint.retry_policy == "none"


def test_form_errors_are_explained(admin, world):
    page = admin.post(reverse("webui:webhook-new"), {"url": "not a url", "dialect": "json", "timeout_seconds": "99",
                                                      "headers": "no colon here"}).content.decode()
    assert "Enter a valid URL." in page
    assert "Tick at least one event to send." in page
    assert "Ensure this value is less than or equal to 30." in page
    assert "Line 1: write each header as “Name: value”." in page
    assert not WebhookEndpoint.objects.exists()


def test_a_header_the_hub_sets_itself_is_refused_by_the_service(admin):
    page = admin.post(reverse("webui:webhook-new"), VALID | {"headers": "Content-Type: text/plain"}).content.decode()
    assert "set by the hub, cannot be overridden" in page
    assert not WebhookEndpoint.objects.exists()


def test_editing_keeps_the_secret_token_unless_replaced_or_removed(admin, world):
    endpoint = make_endpoint(world.account, secret_token="keep-me")
    url = reverse("webui:webhook-edit", args=[endpoint.pk])
    assert "keep-me" not in admin.get(url).content.decode()
    admin.post(url, VALID | {"url": "https://crm.example.com/v2"})
    endpoint.refresh_from_db()
    assert endpoint.url == "https://crm.example.com/v2" and endpoint.secret_token == "keep-me"
    admin.post(url, VALID | {"clear_secret_token": "on"})
    endpoint.refresh_from_db()
    assert endpoint.secret_token == ""


def test_send_test_request_shows_the_receivers_reply(admin, world):
    with receiver(reply={"hello": "from the receiver"}) as (url, seen):
        endpoint = make_endpoint(world.account, url=url, secret_token="tok-123")
        response = admin.post(reverse("webui:webhook-test", args=[endpoint.pk]), {"trigger": "user_inbound"})
        assert response["Location"] == reverse("webui:webhook", args=[endpoint.pk]) + "#test"
        page = admin.get(response["Location"]).content.decode()
        again = admin.get(response["Location"]).content.decode()  # a refresh: no second request, no result
    assert len(seen) == 1 and seen[0]["headers"]["X-Pbx-Token"] == "tok-123"
    assert "HTTP 200" in page and "from the receiver" in page and " ms</span>" in page
    assert "from the receiver" not in again
    assert "tok-123" not in page  # the request headers are shown masked
    assert "webhook-signature" in page.lower()


def test_send_test_request_reports_a_failure(admin, world):
    with receiver(status=503) as (url, _):
        endpoint = make_endpoint(world.account, url=url)
        page = admin.post(reverse("webui:webhook-test", args=[endpoint.pk]), {"trigger": "user_inbound"}, follow=True).content.decode()
    assert "HTTP 503" in page and 'class="pill error"' in page


def test_the_signing_secret_is_revealed_and_rotated_by_editors(admin, world):
    endpoint = make_endpoint(world.account)
    first = SigningSecret.objects.get(endpoint=endpoint).secret
    detail = reverse("webui:webhook", args=[endpoint.pk])
    assert first in admin.post(reverse("webui:webhook-secret-reveal", args=[endpoint.pk]), follow=True).content.decode()
    assert first not in admin.get(detail).content.decode()  # revealed for one page view
    rotate = reverse("webui:webhook-secret-rotate", args=[endpoint.pk])
    assert "Rotate the signing secret?" in admin.post(rotate).content.decode()
    response = admin.post(rotate, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == detail
    newest = SigningSecret.objects.filter(endpoint=endpoint).order_by("-created_at", "-id").first().secret
    assert newest != first and newest in admin.get(detail).content.decode()
    assert newest not in admin.get(detail).content.decode()
    assert AuditEntry.objects.filter(action="webhook.secret_rotated").exists()


def test_disable_asks_first_and_enable_does_not(admin, world):
    endpoint = make_endpoint(world.account)
    url = reverse("webui:webhook-enabled", args=[endpoint.pk])
    assert "Disable this endpoint?" in admin.post(url, {"enabled": "0"}).content.decode()
    admin.post(url, {"enabled": "0", "confirm": "yes"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    admin.post(url, {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_delete_asks_first(admin, world):
    endpoint = make_endpoint(world.account)
    url = reverse("webui:webhook-delete", args=[endpoint.pk])
    admin.post(url)
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert admin.post(url, {"confirm": "yes"}).status_code == 302
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_recover_resends_failed_deliveries_since_a_time(admin, world):
    endpoint = make_endpoint(world.account)
    make_delivery(endpoint)
    response = admin.post(reverse("webui:webhook-recover", args=[endpoint.pk]), {"since": "2000-01-01T00:00"}, follow=True)
    assert "1 failed delivery sent again." in response.content.decode()
    page = admin.post(reverse("webui:webhook-recover", args=[endpoint.pk]), {"since": "yesterday"}).content.decode()
    assert "Enter a valid date/time." in page


def test_the_list_shows_health_and_an_empty_state(admin, world):
    assert "No endpoints yet" in admin.get(reverse("webui:webhooks")).content.decode()
    make_endpoint(world.account, url="https://crm.example.com/x")
    page = admin.get(reverse("webui:webhooks")).content.decode()
    assert "https://crm.example.com/x" in page and "no traffic yet" in page and "healthy" not in page


def test_post_only_addresses_opened_again_lead_back_to_the_endpoint(admin, world):
    endpoint = make_endpoint(world.account)
    detail = reverse("webui:webhook", args=[endpoint.pk])
    for name in ("webhook-test", "webhook-secret-reveal", "webhook-secret-rotate", "webhook-recover", "webhook-enabled",
                 "webhook-delete"):
        response = admin.get(reverse(f"webui:{name}", args=[endpoint.pk]))
        assert (response.status_code, response["Location"]) == (302, detail), name
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).exists()
    assert SigningSecret.objects.filter(endpoint=endpoint).count() == 1


def test_a_new_secret_waits_for_its_own_endpoints_page(admin, world):
    other = make_endpoint(world.account, url="https://other.example.com/h")
    response = admin.post(reverse("webui:webhook-new"), VALID)
    endpoint = WebhookEndpoint.objects.exclude(pk=other.pk).get()
    secret = SigningSecret.objects.get(endpoint=endpoint).secret
    assert secret not in admin.get(reverse("webui:webhook", args=[other.pk])).content.decode()
    assert secret in admin.get(response["Location"]).content.decode()
