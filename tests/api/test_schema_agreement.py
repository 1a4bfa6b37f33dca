"""Replies that disagreed with the published schema (found by schemathesis run with every check)."""
from __future__ import annotations

import pytest
from django.core.cache import cache

from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.delivery import webhook_endpoint_create
from tests.factories import make_account


@pytest.fixture
def key(db) -> str:
    cache.clear()
    account, _, _ = make_account("acme")
    allowed_network_add(account=account, address="127.0.0.1")
    webhook_endpoint_create(account=account, url="http://127.0.0.1:9/hook", triggers=["user_inbound"],
                            actor="tests", timeout_seconds=1)
    yield api_key_create(account=account, name="schema")[1]
    cache.clear()


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/?format=json").json()


def test_options_on_the_calls_url_allows_the_list_and_placing_a_call(client, key, schema):
    response = client.options("/api/v1/calls", HTTP_TOKEN=key)

    assert response.status_code == 200
    assert set(response["Allow"].split(", ")) >= {m.upper() for m in schema["paths"]["/api/v1/calls"]}


def test_an_error_in_a_list_item_names_the_item(client, key):
    response = client.post("/api/v1/webhooks", data={"url": "http://127.0.0.1:9/x", "triggers": ["user_inbound", ""]},
                           content_type="application/json", HTTP_TOKEN=key)

    assert response.status_code == 400
    assert response.json()["message"] == "triggers[1]: This field may not be blank."


@pytest.mark.parametrize("component, field", [("OriginateInput", "user_number"),
                                              ("OriginateInput", "number_to_call")])
def test_fields_that_may_not_be_blank_say_so_in_the_schema(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["minLength"] == 1


def test_trigger_names_may_not_be_blank_in_the_schema(schema):
    assert schema["components"]["schemas"]["WebhookInput"]["properties"]["triggers"]["items"]["minLength"] == 1


@pytest.mark.parametrize("path, name", [("/api/v1/calls", "caller_number"), ("/api/v1/calls", "cursor"),
                                        ("/api/integration/v2/get-user-calls", "user_numbers"),
                                        ("/api/integration/v2/get-queue-calls", "unique_call_id")])
def test_a_blank_query_parameter_is_allowed_as_the_api_reads_it_as_left_out(client, key, schema, path, name):
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]

    assert "minLength" not in parameter["schema"]
    assert client.get(f"{path}?{name}=", HTTP_TOKEN=key).status_code == 200
