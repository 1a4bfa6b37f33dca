"""API keys (shown once, revoked after a confirmation), the IP whitelist and the request builder."""
from django.urls import reverse

from hub.models import AllowedNetwork, ApiKey, AuditEntry
from hub.services.api_keys import api_key_create


def test_a_new_key_is_shown_once_and_audited(admin, world):
    response = admin.post(reverse("webui:api-keys"), {"name": "Salesforce", "scopes": ["calls:read", "calls:place"]})
    assert response.status_code == 302  # a refresh of the next page makes no second key
    response = admin.get(response["Location"])
    page = response.content.decode()
    key = ApiKey.objects.get(account=world.account, name="Salesforce")
    assert f"pbxh_{key.prefix}_" in page and "only time it is shown" in page
    assert response["Cache-Control"] == "no-store"
    assert key.scopes == ["calls:read", "calls:place"]
    assert f"pbxh_{key.prefix}_" not in admin.get(reverse("webui:api-keys")).content.decode().replace(f"pbxh_{key.prefix}_…", "")
    entry = AuditEntry.objects.get(account=world.account, action="api_key.created")
    assert entry.actor == "adam@acme.test" and "Salesforce" in entry.summary


def test_a_key_needs_a_name_and_a_scope(admin, world):
    page = admin.post(reverse("webui:api-keys"), {"name": ""}).content.decode()
    assert "This field is required." in page and "Choose at least one thing the key may do." in page
    assert not ApiKey.objects.filter(account=world.account).exists()


def test_revoking_asks_first_then_revokes_and_audits(admin, world):
    key, _ = api_key_create(account=world.account, name="old")
    url = reverse("webui:api-key-revoke", args=[key.pk])
    page = admin.post(url).content.decode()
    assert "Revoke “old”?" in page and 'name="confirm" value="yes"' in page
    key.refresh_from_db()
    assert key.revoked_at is None
    response = admin.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(account=world.account, action="api_key.revoked", object_id=str(key.pk)).exists()
    assert "Revoked “old”." in admin.get(reverse("webui:api-keys")).content.decode()


def test_whitelist_adds_a_normalised_address_with_an_audit_entry(admin, world):
    response = admin.post(reverse("webui:whitelist"), {"address": "203.0.113.0/24 ", "note": "office"}, follow=True)
    assert "Added 203.0.113.0/24 to the whitelist." in response.content.decode()
    assert AllowedNetwork.objects.filter(account=world.account, network="203.0.113.0/24", note="office").exists()
    assert AuditEntry.objects.filter(account=world.account, action="allowed_network.added", actor="adam@acme.test").exists()


def test_whitelist_refuses_what_is_not_an_address(admin, world):
    page = admin.post(reverse("webui:whitelist"), {"address": "not-an-ip"}).content.decode()
    assert "is not an IPv4/IPv6 address or CIDR range" in page
    assert not AllowedNetwork.objects.exists()


def test_whitelist_offers_the_admins_own_address(admin):
    page = admin.get(reverse("webui:whitelist"), REMOTE_ADDR="198.51.100.23").content.decode()
    assert "You are connecting from <code id=\"your-address\">198.51.100.23</code>" in page
    assert 'data-value="198.51.100.23"' in page


def test_whitelist_says_when_the_admins_address_is_already_allowed(admin, world):
    AllowedNetwork.objects.create(account=world.account, network="198.51.100.0/24")
    page = admin.get(reverse("webui:whitelist"), REMOTE_ADDR="198.51.100.23").content.decode()
    assert "already allowed" in page


def test_whitelist_removal_asks_first(admin, world):
    row = AllowedNetwork.objects.create(account=world.account, network="203.0.113.7/32")
    url = reverse("webui:whitelist-remove", args=[row.pk])
    assert "Remove 203.0.113.7/32?" in admin.post(url).content.decode()
    assert AllowedNetwork.objects.filter(pk=row.pk).exists()
    admin.post(url, {"confirm": "yes"})
    assert not AllowedNetwork.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(action="allowed_network.removed").exists()


def test_request_builder_shows_the_full_url_and_a_curl_line(viewer):
    page = viewer.get(reverse("webui:api-builder"), {
        "endpoint": "queue", "members": "822, Support", "from_date": "2025-03-01", "to_date": "2025-03-02",
        "sort_by": "oldest_first", "offset": "10", "limit": "50"}).content.decode()
    url = ("http://testserver/api/integration/v2/get-queue-calls?queues_names=822%2CSupport&amp;from_date=2025-03-01"
           "&amp;to_date=2025-03-02&amp;sort_by=oldest_first&amp;offset=10&amp;limit=50")
    assert url in page
    assert "curl -s -H &quot;Authorization: Bearer $HUB_API_KEY&quot;" in page


def test_request_builder_explains_bad_dates(viewer):
    page = viewer.get(reverse("webui:api-builder"), {"endpoint": "user", "from_date": "2025-03-05", "to_date": "2025-03-01",
                                                     "sort_by": "newest_first"}).content.decode()
    assert "The last day cannot be before the first." in page and "api-url" not in page


def test_whitelist_refuses_a_range_wider_than_the_address_typed(admin, world):
    page = admin.post(reverse("webui:whitelist"), {"address": "10.0.0.5/8", "note": "vpn"}).content.decode()
    assert ("10.0.0.5/8 would allow all of 10.0.0.0/8 (16,777,216 addresses), not only 10.0.0.5. "
            "Enter 10.0.0.5 for that one address, or 10.0.0.0/8 if you mean the whole range.") in page
    assert 'value="10.0.0.5/8"' in page  # what was typed stays in the field
    assert not AllowedNetwork.objects.exists() and "Added" not in page
    page = admin.post(reverse("webui:whitelist"), {"address": "2001:db8::1/32"}).content.decode()
    assert "would allow all of 2001:db8::/32" in page and not AllowedNetwork.objects.exists()
    admin.post(reverse("webui:whitelist"), {"address": "10.0.0.0/8"})
    assert list(AllowedNetwork.objects.values_list("network", flat=True)) == ["10.0.0.0/8"]
