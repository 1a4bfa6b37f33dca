"""Whitelist, keys, scopes and throttling over real sockets: 127.0.0.2 and 127.0.0.1 are both loopback."""
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from hub.models import ApiKey
from tests.api_history.conftest import account_with_key
from tests.api_history.live import session_from

pytestmark = pytest.mark.django_db(transaction=True)
USER_CALLS = "/api/integration/v2/get-user-calls"


@pytest.fixture
def key(db):
    return account_with_key("acme")[2]


def _get(live_server, source, headers, path=USER_CALLS):
    return session_from(source).get(live_server.url + path, headers=headers, timeout=10)


def test_whitelisted_address_gets_the_calls(live_server, key):
    response = _get(live_server, "127.0.0.1", {"token": key})

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "OK", "code": 200, "data": []}


def test_other_address_gets_401_naming_the_address_and_nothing_about_the_key(live_server, key):
    response = _get(live_server, "127.0.0.2", {"token": key})

    assert response.status_code == 401
    assert response.json() == {"status": "error", "code": 401, "data": [],
                               "message": "Not authorised: address 127.0.0.2 is not whitelisted"}


def test_bad_key_from_outside_every_whitelist_reads_like_a_good_one(live_server, key):
    good = _get(live_server, "127.0.0.2", {"token": key}).json()
    bad = _get(live_server, "127.0.0.2", {"token": "pbxh_000000000000_nope"}).json()

    assert bad == good


def test_spoofed_forwarded_for_does_not_pass(live_server, key):
    response = _get(live_server, "127.0.0.2", {"token": key, "X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 401
    assert "127.0.0.2 is not whitelisted" in response.json()["message"]


@pytest.mark.parametrize("proxy_ips", [["127.0.0.2"], ["127.0.0.0/30"]])
def test_forwarded_for_counts_when_the_proxy_is_trusted(live_server, key, proxy_ips):
    # 127.0.0.2 plays the reverse proxy, forwarding for the whitelisted 127.0.0.1.
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=proxy_ips):
        response = _get(live_server, "127.0.0.2", {"token": key, "X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 200


def test_a_proxy_count_without_proxy_addresses_trusts_no_forwarded_header(live_server, key):
    # Refused at start-up (tests/foundation/test_settings.py); ignored should it be set at run time.
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=[]):
        response = _get(live_server, "127.0.0.2", {"token": key, "X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 401


def test_forwarded_for_from_an_untrusted_peer_is_ignored_even_behind_proxies(live_server, key):
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=["127.0.0.9"]):
        response = _get(live_server, "127.0.0.2", {"token": key, "X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 401


def test_only_the_hop_before_the_trusted_proxy_counts(live_server, key):
    # The client put 127.0.0.1 in front itself; the proxy appended the address it really saw.
    with override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_IPS=["127.0.0.2"]):
        response = _get(live_server, "127.0.0.2", {"token": key, "X-Forwarded-For": "127.0.0.1, 127.0.0.3"})

    assert response.json()["message"] == "Not authorised: address 127.0.0.3 is not whitelisted"


@pytest.mark.parametrize("header", ["token", "Authorization", "X-Api-Key"])
def test_each_key_header_form_works(live_server, key, header):
    value = f"Bearer {key}" if header == "Authorization" else key

    assert _get(live_server, "127.0.0.1", {header: value}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"token": "nonsense"}, {"Authorization": "Basic abc"},
                                     {"X-Api-Key": "pbxh_"}])
def test_missing_or_malformed_key_is_401(live_server, key, headers):
    response = _get(live_server, "127.0.0.1", headers)

    assert response.status_code == 401
    assert response.json()["message"] == "Not authorised: invalid or missing API key"


def test_wrong_secret_with_a_real_prefix_is_401(live_server, key):
    assert _get(live_server, "127.0.0.1", {"token": key[:-3] + "xyz"}).status_code == 401


@pytest.mark.parametrize("change", [{"revoked_at": timezone.now()},
                                    {"expires_at": timezone.now() - timedelta(seconds=1)}], ids=["revoked", "expired"])
def test_revoked_and_expired_keys_get_the_same_401(live_server, key, change):
    ApiKey.objects.update(**change)
    response = _get(live_server, "127.0.0.1", {"token": key})

    assert response.status_code == 401
    assert response.json()["message"] == "Not authorised: invalid or missing API key"


def test_key_not_yet_expired_works(live_server, key):
    ApiKey.objects.update(expires_at=timezone.now() + timedelta(hours=1))

    assert _get(live_server, "127.0.0.1", {"token": key}).status_code == 200


def test_key_narrowed_to_other_networks_is_refused_as_not_whitelisted(live_server, key):
    ApiKey.objects.update(allowed_networks=["10.0.0.0/8"])
    response = _get(live_server, "127.0.0.1", {"token": key})

    assert response.status_code == 401
    assert response.json()["message"] == "Not authorised: address 127.0.0.1 is not whitelisted"


def test_key_networks_cannot_widen_the_account_whitelist(live_server, key):
    ApiKey.objects.update(allowed_networks=["127.0.0.0/8"])

    assert _get(live_server, "127.0.0.1", {"token": key}).status_code == 200
    assert _get(live_server, "127.0.0.2", {"token": key}).status_code == 401


def test_ipv6_loopback_whitelist_entry_does_not_let_ipv4_in(live_server, db):
    _, _, key = account_with_key("v6", networks=["::1/128"])

    assert _get(live_server, "127.0.0.1", {"token": key}).status_code == 401


@pytest.mark.parametrize("path", [USER_CALLS, "/api/integration/v2/get-queue-calls",
                                  "/api/integration/v2/get-ringgroup-calls", "/api/v1/calls", "/api/v1/calls/x_1"])
def test_every_history_endpoint_needs_calls_read(live_server, db, path):
    _, _, key = account_with_key("placer", scopes=["calls:place"])
    response = _get(live_server, "127.0.0.1", {"token": key}, path)

    assert response.status_code == 403
    assert response.json() == {"status": "error", "code": 403, "data": [],
                               "message": "Forbidden: this API key lacks the calls:read scope"}


def test_throttle_per_key_answers_429_with_retry_after(live_server, key, db):
    _, _, other_key = account_with_key("other")
    with override_settings(HUB_API_RATE="3/min"):
        codes = [_get(live_server, "127.0.0.1", {"token": key}).status_code for _ in range(3)]
        throttled = _get(live_server, "127.0.0.1", {"token": key})
        other = _get(live_server, "127.0.0.1", {"token": other_key})

    assert codes == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 60
    assert throttled.json()["status"] == "error" and throttled.json()["code"] == 429
    assert other.status_code == 200  # counted per key


def test_last_used_is_written_at_most_once_a_minute(live_server, key):
    _get(live_server, "127.0.0.1", {"token": key})
    first = ApiKey.objects.get().last_used_at
    _get(live_server, "127.0.0.1", {"token": key})

    assert first is not None
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    _get(live_server, "127.0.0.1", {"token": key})
    assert ApiKey.objects.get().last_used_at > first
