"""What the get-user-calls speed work (bench/api.py) relies on: few queries per request, rows in
CallRow's shape without passing through it, and the key, whitelist and PBX time zones still read
on every request."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rest_framework.renderers import JSONRenderer

from hub.api.integration.serializers import CallRow
from hub.models import ApiKey, PbxUser, UserLeg
from hub.services.access import allowed_network_remove
from hub.services.api_keys import api_key_revoke
from hub.vocabulary.timezones import parse_timezone
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


@pytest.mark.django_db
def test_reply_bytes_are_what_drfs_json_renderer_writes(client, acme):
    # orjson writes the replies; clients must not see a byte of difference (non-ASCII, U+2028).
    _, pbx, key = acme
    PbxUser.objects.filter(pbx=pbx, number="102").update(name="José\u2028Álvarez")

    response = get(client, USER_CALLS, key, users="102")

    assert "José\u2028Álvarez" in {row["user_name"] for row in response.json()["data"]}
    assert response.content == JSONRenderer().render(response.json())
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_sub_second_times_are_cut_to_the_second(client, acme):
    _, _, key = acme
    call = UserLeg.objects.filter(user="102").order_by("call_start_at").first().call
    assert call.call_start_at.microsecond  # the sample's 3CX times carry milliseconds

    rows = get(client, USER_CALLS, key, users="102", unique_call_id=call.unique_call_id).json()["data"]

    local = call.call_start_at.astimezone(parse_timezone("+11:00"))
    assert rows[0]["call_start_at"] == local.replace(microsecond=0).isoformat()
    assert "." not in rows[0]["connected_at"]


@pytest.mark.django_db
@pytest.mark.parametrize("sort_by", ["newest_first", "oldest_first"])
def test_a_few_users_page_like_the_whole_history_filtered_to_them(client, key, sort_by):
    # A page for named users merges per-user reads; it must equal the all-users order cut to them.
    users = {"101", "102", "104"}
    everything = get(client, USER_CALLS, key, limit=10000, sort_by=sort_by).json()["data"]
    theirs = [row for row in everything if row["user_number"] in users]

    page = get(client, USER_CALLS, key, users=",".join(sorted(users)), offset=3, limit=5, sort_by=sort_by)

    assert len(theirs) > 8
    assert page.json()["data"] == theirs[3:8]
