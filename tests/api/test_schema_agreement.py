"""Replies that disagreed with the published schema (found by schemathesis run with every check)."""
from __future__ import annotations

import jsonschema_rs
import pytest
from django.core.cache import cache

from hub.catalogue import CATALOGUE
from hub.models import CallControl, DriverKind, Pbx, PbxUser
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.delivery import webhook_endpoint_create
from hub.services.delivery.filters import FILTER_FIELDS
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
    text, number = schema["components"]["schemas"][component]["properties"][field]["oneOf"]
    assert text["minLength"] == 1 and number == {"type": "integer", "minimum": 0}


def test_trigger_names_may_not_be_blank_in_the_schema(schema):
    assert schema["components"]["schemas"]["WebhookInput"]["properties"]["triggers"]["items"]["minLength"] == 1


@pytest.mark.parametrize("path, name", [("/api/v1/calls", "caller_number"), ("/api/v1/calls", "cursor"),
                                        ("/api/integration/v2/get-user-calls", "user_numbers"),
                                        ("/api/integration/v2/get-queue-calls", "unique_call_id")])
def test_a_blank_query_parameter_is_allowed_as_the_api_reads_it_as_left_out(client, key, schema, path, name):
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]

    assert "minLength" not in parameter["schema"]
    assert client.get(f"{path}?{name}=", HTTP_TOKEN=key).status_code == 200


def _parameter_schema(schema: dict, path: str, name: str) -> dict:
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return parameter["schema"]


@pytest.mark.parametrize("path, name", [("/api/integration/v2/get-user-calls", "from_date"),
                                        ("/api/integration/v2/get-queue-calls", "to_date"),
                                        ("/api/v1/calls", "from"), ("/api/v1/calls", "to")])
def test_the_schema_states_the_days_the_api_takes_and_that_blank_is_left_out(client, key, schema, path, name):
    valid = jsonschema_rs.validator_for(_parameter_schema(schema, path, name), validate_formats=True)

    for day in ("", "1900-01-01", "2025-03-01", "9998-12-31"):
        assert valid.is_valid(day), day
        assert client.get(f"{path}?{name}={day}", HTTP_TOKEN=key).status_code == 200, day
    for day in ("1899-12-31", "9999-01-01", "2025-02-30"):
        assert not valid.is_valid(day), day
        response = client.get(f"{path}?{name}={day}", HTTP_TOKEN=key)
        assert response.status_code == 400 and response.json()["message"].startswith(f"{name}: "), day


def test_an_instant_with_an_offset_postgresql_cannot_store_is_read_in_utc(client, key, schema):
    instant = "2025-03-01T00:52:44+20:44"  # ISO 8601 allows offsets to ±23:59, PostgreSQL to ±15:59
    valid = jsonschema_rs.validator_for(_parameter_schema(schema, "/api/v1/calls", "from"), validate_formats=True)

    assert valid.is_valid(instant)
    assert client.get("/api/v1/calls", {"from": instant, "to": instant}, HTTP_TOKEN=key).status_code == 200


@pytest.mark.parametrize("name", ["sort_by", "direction", "status"])
def test_a_blank_choice_is_in_the_enum_as_the_api_reads_it_as_left_out(client, key, schema, name):
    assert "" in _parameter_schema(schema, "/api/v1/calls", name)["enum"]
    assert client.get(f"/api/v1/calls?{name}=", HTTP_TOKEN=key).status_code == 200


def test_a_cursor_the_api_did_not_hand_out_is_refused_naming_it_as_the_schema_says(client, key, schema):
    [parameter] = [p for p in schema["paths"]["/api/v1/calls"]["get"]["parameters"] if p["name"] == "cursor"]
    response = client.get("/api/v1/calls?cursor=made-up", HTTP_TOKEN=key)

    assert "opaque" in parameter["description"] and "400" in parameter["description"]
    assert response.status_code == 400 and response.json()["message"].startswith("cursor: ")


@pytest.fixture
def placeable(key) -> str:
    pbx = Pbx.objects.get()
    PbxUser.objects.create(pbx=pbx, number="101", name="User 101")
    CallControl.objects.create(pbx=pbx, driver=DriverKind.SIMULATOR)
    return key


@pytest.mark.parametrize("path", ["/api/v1/calls", "/api/integration/v2/call-to-number"])
def test_a_null_pbx_or_caller_id_means_left_out_and_the_schema_says_nullable(client, placeable, schema, path):
    fields = schema["components"]["schemas"]["OriginateInput"]["properties"]
    response = client.post(path, {"user_number": "101", "number_to_call": "+61355501234", "pbx": None,
                                  "caller_id": None}, content_type="application/json", HTTP_TOKEN=placeable)

    assert fields["pbx"]["nullable"] is True and fields["caller_id"]["nullable"] is True
    assert response.status_code == 202, response.content
    assert response.json()["data"]["pbx"] == "acme-pbx"


@pytest.mark.parametrize("path, body, message", [
    ("/api/v1/calls", {"user_number": "101", "number_to_call": "+61355501234", "caller_id": True},
     "caller_id: Not a valid string."),
    ("/api/v1/calls", {"user_number": 101.5, "number_to_call": "+61355501234"},
     "user_number: Not a valid string."),
    ("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "triggers": ["user_inbound"], "name": 0},
     "name: Not a valid string."),
    ("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "triggers": ["user_inbound"], "enabled": 0},
     "enabled: Must be a valid boolean."),
    ("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "triggers": ["user_inbound"], "timeout_seconds": "5"},
     "timeout_seconds: A valid integer is required."),
    ("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "triggers": ["user_inbound"], "headers": {"X-A": 1}},
     "headers.X-A: Not a valid string."),
])
def test_a_json_value_of_another_type_than_the_schema_says_is_refused_naming_it(client, placeable, path, body,
                                                                                message):
    response = client.post(path, body, content_type="application/json", HTTP_TOKEN=placeable)

    assert response.status_code == 400
    assert response.json()["message"] == message


@pytest.mark.parametrize("path", ["/api/v1/calls", "/api/integration/v2/call-to-number"])
def test_numbers_may_be_sent_as_json_numbers_as_crm_clients_do(client, placeable, path):
    # A number is read as its digits, as the same digits in a string would be.
    response = client.post(path, {"user_number": 101, "number_to_call": "+61355501234", "caller_id": 61355500000},
                           content_type="application/json", HTTP_TOKEN=placeable)

    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["user_number"], data["caller_id"]) == ("101", "61355500000")


def test_a_form_still_places_a_call_as_the_cloud_pbx_clients_send_it(client, placeable):
    response = client.post("/api/integration/v2/call-to-number", {"user_number": "101",
                                                                   "number_to_call": "+61355501234"},
                           HTTP_TOKEN=placeable)

    assert response.status_code == 202, response.content


def test_webhook_bodies_are_documented_as_json_only(schema):
    # filters and event_paths are objects, which a form cannot carry.
    for path, method in [("/api/v1/webhooks", "post"), ("/api/v1/webhooks/{webhook_id}", "patch"),
                         ("/api/v1/webhooks/{webhook_id}/test", "post")]:
        assert list(schema["paths"][path][method]["requestBody"]["content"]) == ["application/json"]


def test_trigger_names_filters_and_event_paths_are_what_the_service_accepts(schema):
    components = schema["components"]["schemas"]
    webhook = components["WebhookInput"]["properties"]

    assert components["TriggerEnum"]["enum"] == sorted(CATALOGUE)
    assert components["TestInput"]["properties"]["trigger"]["allOf"] == [{"$ref": "#/components/schemas/TriggerEnum"}]
    assert set(webhook["filters"]["properties"]) == set(FILTER_FIELDS)
    assert set(webhook["event_paths"]["properties"]) == set(CATALOGUE)
    assert webhook["filters"]["additionalProperties"] is False and webhook["event_paths"]["additionalProperties"] is False
