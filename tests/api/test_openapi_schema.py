"""The OpenAPI schema and Swagger UI: valid, complete for ingest, and served without a CDN."""
from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from hub.api.ingest.docs import NATIVE_EVENT_EXAMPLE, NATIVE_LIST_EXAMPLE
from hub.vocabulary.pbx_event import Kind
from integrations.native_json.schema import PUSHABLE_KINDS
from tests.api.push import accepted, push_json


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "PBX webhook hub API"
    validate_schema(schema)  # raises on any violation of the OpenAPI 3.0 JSON schema


def test_generating_the_schema_prints_no_warning_or_error(client, capfd) -> None:
    # drf-spectacular prints each problem once per process and remembers it: start from a clean slate
    # so a problem an earlier test already met is counted here too.
    GENERATOR_STATS.reset()
    capfd.readouterr()

    assert client.get("/api/schema/").status_code == 200

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}
    assert capfd.readouterr().err == ""


def test_schema_documents_each_ingest_operation_once(schema) -> None:
    ingest = {path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith("/ingest/")}

    assert ingest == {"/ingest/events/{token}/": ["post"], "/ingest/3cx-webhook/{token}/": ["get", "post"],
                      "/ingest/events/": ["post"], "/ingest/3cx-webhook/": ["get", "post"]}


def test_token_less_push_urls_document_the_token_header(schema) -> None:
    native = schema["paths"]["/ingest/events/"]["post"]

    assert [(p["name"], p["in"]) for p in native["parameters"]] == [("X-Pbx-Token", "header")]
    assert "Authorization: Bearer" in native["parameters"][0]["description"]
    assert set(native["responses"]) == {"202", "400", "401", "404", "413", "503"}


def test_native_push_accepts_one_event_or_a_list(schema) -> None:
    body = schema["paths"]["/ingest/events/{token}/"]["post"]["requestBody"]["content"]["application/json"]
    one_of = schema["components"]["schemas"]["NativePush"]["oneOf"]

    assert body["schema"] == {"$ref": "#/components/schemas/NativePush"}
    assert one_of == [{"$ref": "#/components/schemas/NativeEvent"},
                      {"type": "array", "items": {"$ref": "#/components/schemas/NativeEvent"}}]
    assert set(body["examples"]) == {"OneEvent", "AWholeCall"}


def test_documented_kinds_are_those_the_adapter_accepts(schema) -> None:
    event = schema["components"]["schemas"]["NativeEvent"]
    kinds = schema["components"]["schemas"]["KindEnum"]["enum"]

    assert set(event["required"]) == {"id", "kind", "occurred_at"}
    assert kinds == [k.value for k in PUSHABLE_KINDS]
    assert Kind.CDR_RECORD.value not in kinds


def test_plugin_get_documents_its_query_fields(schema) -> None:
    params = {p["name"]: p for p in schema["paths"]["/ingest/3cx-webhook/{token}/"]["get"]["parameters"]}

    assert {"event", "id", "callerid", "user", "usertype", "did", "trtype", "finishtype", "transfer", "title",
            "token"} <= set(params)
    assert params["token"]["in"] == "path"
    assert params["usertype"]["schema"]["enum"] == ["ext", "other", "queue"]


def test_plugin_post_documents_json_form_and_bare_link_bodies(schema) -> None:
    content = schema["paths"]["/ingest/3cx-webhook/{token}/"]["post"]["requestBody"]["content"]

    assert set(content) == {"application/json", "application/x-www-form-urlencoded", "text/plain"}
    assert "FILES" in schema["components"]["schemas"]["PluginRequest"]["properties"]


def test_every_ingest_operation_documents_its_replies(schema) -> None:
    for path in ("/ingest/events/{token}/", "/ingest/3cx-webhook/{token}/"):
        for operation in schema["paths"][path].values():
            assert set(operation["responses"]) == {"202", "400", "404", "413", "503"}


def test_every_operation_documents_the_503_of_a_database_outage(schema) -> None:
    operations = [(path, method, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]

    assert {path.split("/")[1] for path, _, _ in operations} == {"api", "ingest"}
    for path, method, operation in operations:
        unavailable = operation["responses"]["503"]
        assert unavailable["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
        assert unavailable["headers"]["Retry-After"]["required"] is True, (method, path)


def test_documented_examples_are_accepted(client, token) -> None:
    assert push_json(client, token, NATIVE_EVENT_EXAMPLE).json() == accepted(1, 1)
    assert push_json(client, token, NATIVE_LIST_EXAMPLE).json() == accepted(4, 3, duplicates=1)


def test_swagger_ui_is_served_from_the_hub_not_a_cdn(client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/schema/" in page
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
