"""Bounded property-based fuzz of the history endpoints' query strings: only 200 or 400, always the envelope.

(Stands in for a schemathesis run, which would fetch /api/schema/ from a live server and is
slow per example; the parameters fuzzed here are exactly those the schema documents.)
"""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.api_history.conftest import get

PATHS = {
    "/api/integration/v2/get-user-calls": ["sort_by", "from_date", "to_date", "offset", "limit", "unique_call_id",
                                           "user_numbers", "users"],
    "/api/integration/v2/get-queue-calls": ["sort_by", "from_date", "to_date", "offset", "limit", "queues_names"],
    "/api/integration/v2/get-ringgroup-calls": ["sort_by", "from_date", "limit", "ringgroups_names"],
    "/api/v1/calls": ["direction", "status", "caller_number", "did", "from", "to", "user", "queue", "sort_by",
                      "limit", "cursor"],
}
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2025-03-01", "9999-12-31", "0000-00-00", "2025-03-01T08:00:00+11:00", "newest_first",
                     "-1", "0", "10000", "10001", "822", "Sales", "102,103", "1e9", "\x00", "eyJ9"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_query_string_gets_200_or_400_in_the_envelope(client, key, path, data):
    params = data.draw(st.dictionaries(st.sampled_from(PATHS[path]), VALUES, max_size=4))
    response = get(client, path, key, **params)

    assert response.status_code in (200, 400), (params, response.content[:300])
    body = response.json()
    assert set(body) >= {"status", "message", "code", "data"} and body["code"] == response.status_code


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call_id=st.text(min_size=1, max_size=60).filter(lambda t: "/" not in t and "\x00" not in t))
def test_any_call_id_gets_200_or_404(client, key, call_id):
    from urllib.parse import quote

    response = client.get(f"/api/v1/calls/{quote(call_id)}", HTTP_TOKEN=key)

    assert response.status_code in (200, 404)


@pytest.mark.django_db
def test_schema_documents_the_history_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    user_params = {p["name"] for p in paths["/api/integration/v2/get-user-calls"]["get"]["parameters"]}

    assert {"sort_by", "from_date", "to_date", "offset", "limit", "unique_call_id", "user_numbers"} <= user_params
    assert {"/api/integration/v2/get-queue-calls", "/api/integration/v2/get-ringgroup-calls", "/api/v1/calls",
            "/api/v1/calls/{unique_call_id}"} <= set(paths)
    assert schema["components"]["securitySchemes"]["ApiKeyToken"] == {
        "type": "apiKey", "in": "header", "name": "token",
        "description": schema["components"]["securitySchemes"]["ApiKeyToken"]["description"]}
