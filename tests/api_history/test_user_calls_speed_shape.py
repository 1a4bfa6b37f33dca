"""What the get-user-calls speed work (bench/api.py) relies on: few queries per request, rows in
CallRow's shape without passing through it, and the key, whitelist and PBX time zones still read
on every request."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.api.integration.serializers import CallRow
from hub.models import ApiKey
from hub.services.access import allowed_network_remove
from hub.services.api_keys import api_key_revoke
from tests.api_history.conftest import get

USER_CALLS = "/api/integration/v2/get-user-calls"


@pytest.mark.django_db
def test_a_page_of_user_calls_costs_a_fixed_number_of_queries(client, key):
    get(client, USER_CALLS, key, users="102")  # the once-a-minute last_used_at write happens here
    with CaptureQueriesContext(connection) as queries:
        response = get(client, USER_CALLS, key, users="102,110", limit=10000)

    assert response.status_code == 200 and len(response.json()["data"]) > 10
    # The key with its account's whitelist and PBX time zones; the page with the users' names.
    assert len(queries.captured_queries) == 2


@pytest.mark.django_db
def test_rows_have_exactly_callrow_fields_in_its_order_and_types(client, key):
    rows = get(client, USER_CALLS, key, limit=10000).json()["data"]

    assert rows
    for row in rows:
        assert list(row) == list(CallRow().fields)
        assert CallRow(row).data == row


@pytest.mark.django_db
def test_removing_the_address_from_the_whitelist_locks_the_key_out_at_once(client, acme):
    account, _, key = acme
    assert get(client, USER_CALLS, key).status_code == 200

    allowed_network_remove(account=account, address="127.0.0.1")

    response = get(client, USER_CALLS, key)
    assert response.status_code == 401
    assert "not whitelisted" in response.json()["message"]


@pytest.mark.django_db
def test_a_changed_pbx_time_zone_counts_on_the_next_request(client, acme):
    # The zones are read with the key on every request, never kept between requests.
    _, pbx, key = acme
    assert get(client, USER_CALLS, key, from_date="2025-03-01", to_date="2025-03-01").json()["data"]

    pbx.timezone = "-10:00"  # the sample's instants are now 2025-02-28 local
    pbx.save(update_fields=["timezone"])

    assert get(client, USER_CALLS, key, from_date="2025-03-01", to_date="2025-03-01").json()["data"] == []
    rows = get(client, USER_CALLS, key, from_date="2025-02-28", to_date="2025-02-28").json()["data"]
    assert rows and all(row["call_start_at"].endswith("-10:00") for row in rows)


@pytest.mark.django_db
def test_revoking_the_key_locks_it_out_at_once(client, acme):
    account, _, key = acme
    assert get(client, USER_CALLS, key).status_code == 200

    api_key_revoke(account=account, key_id=ApiKey.objects.get(account=account).pk)

    response = get(client, USER_CALLS, key)
    assert response.status_code == 401
    assert response.json()["message"] == "Not authorised: invalid or missing API key"
