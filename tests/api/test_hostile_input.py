"""Input built to break the server gets a 4xx naming the problem, never a 5xx.

Each shape is sent to every endpoint that takes a body: documents nested past what Python's
recursion allows (the parser's RecursionError) or just under it (every recursive walk after the
parser), NUL characters (PostgreSQL refuses them in text, even in a WHERE clause). Run on SQLite
and PostgreSQL like the rest of the suite.
"""
from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.delivery import webhook_endpoint_create
from integrations.json_nesting import MAX_JSON_DEPTH
from tests.factories import make_account

TOO_DEEP = f"nested deeper than {MAX_JSON_DEPTH} levels"


# Built as text: json.dumps itself recurses, and gives up near Python's recursion limit.
def nested_lists(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def native_event(data: str) -> bytes:
    return (b'{"id": "e1", "kind": "call.incoming", "occurred_at": "2025-03-01T08:00:00+11:00", '
            b'"pbx_call_id": "c1", "data": ' + data.encode() + b"}")


@pytest.fixture
def target(db):
    """Account acme: a key for 127.0.0.1 (the test client's address), a webhook, the ingest token."""
    cache.clear()
    account, _, ingest_token = make_account("acme")
    allowed_network_add(account=account, address="127.0.0.1")
    _, key = api_key_create(account=account, name="fuzz")
    webhook = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/hook", triggers=["user_inbound"],
                                      actor="tests", timeout_seconds=1)[0]
    yield {"key": key, "token": ingest_token, "webhook": webhook.pk}
    cache.clear()


ENDPOINTS = [
    ("post", "/api/v1/webhooks"),
    ("patch", "/api/v1/webhooks/{webhook}"),
    ("post", "/api/v1/webhooks/{webhook}/test"),
    ("post", "/api/v1/calls"),
    ("post", "/api/integration/v2/call-to-number"),
    ("post", "/ingest/events/{token}/"),
    ("post", "/ingest/3cx-webhook/{token}/"),
]

# Bodies nested too deeply for any endpoint: each must be refused as such.
DEEP_BODIES = {
    "5,000 nested [": b"[" * 5000,
    "5,000 nested [ closed": b"[" * 5000 + b"]" * 5000,
    "980 nested objects": nested_objects(980).encode(),
    "400 nested lists in a field": f'{{"url": "http://127.0.0.1:9/x", "filters": {nested_lists(400)}}}'.encode(),
    "one level too deep": f'{{"triggers": {nested_lists(MAX_JSON_DEPTH)}}}'.encode(),
}

# Strings with NUL characters where each endpoint reads its fields.
NUL = "\x00"
NUL_BODY = json.dumps({
    "url": f"http://127.0.0.1:9/{NUL}", "name": NUL, "triggers": [NUL], "trigger": NUL, "headers": {NUL: NUL},
    "event_paths": {NUL: NUL}, "filters": {NUL: [NUL]}, "user_number": NUL, "number_to_call": f"0355{NUL}",
    "user": NUL, "number": NUL, "pbx": NUL, "id": NUL, "kind": NUL, "occurred_at": NUL, "pbx_call_id": NUL,
    "event": NUL, "callerid": NUL,
}).encode()


def send(client, target, method: str, path: str, body: bytes):
    url = path.format(**target)
    return getattr(client, method)(url, data=body, content_type="application/json", HTTP_TOKEN=target["key"])


def error_message(response) -> str:
    return response.json()["message"]


@pytest.mark.parametrize("shape", DEEP_BODIES)
@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_a_body_nested_too_deeply_is_refused_with_400_naming_it(client, target, method, path, shape):
    response = send(client, target, method, path, DEEP_BODIES[shape])

    assert response.status_code == 400
    assert TOO_DEEP in error_message(response)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 400, 700, 980])
def test_native_push_with_data_nested_deeply_is_refused_with_400(client, target, depth):
    body = native_event(f'{{"x": {nested_lists(depth)}}}')

    response = send(client, target, "post", "/ingest/events/{token}/", body)

    assert response.status_code == 400
    assert error_message(response) == f"body: JSON {TOO_DEEP}"


def test_native_push_nested_up_to_the_limit_is_stored(client, target):
    # data is level 2 of the document, so this is exactly MAX_JSON_DEPTH levels.
    body = native_event(f'{{"x": {nested_lists(MAX_JSON_DEPTH - 2)}}}')

    response = send(client, target, "post", "/ingest/events/{token}/", body)

    assert response.status_code == 202, response.content
    assert response.json()["stored"] == 1


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_nul_characters_in_every_field_get_a_4xx(client, target, method, path):
    response = send(client, target, method, path, NUL_BODY)

    assert 400 <= response.status_code < 500, response.content


@pytest.mark.parametrize("path", [
    "/api/v1/calls/%00",
    "/api/v1/calls/250301080017_874%00",
    "/api/v1/calls/originate/%00",
    "/api/v1/calls?caller_number=%00",
    "/api/v1/calls?from=%00",
    "/api/v1/calls?cursor=%00",
    "/api/integration/v2/get-user-calls?user_numbers=%00",
    "/api/integration/v2/get-queue-calls?unique_call_id=%00",
    "/ingest/3cx-webhook/%00/?event=ringing",
    "/ingest/3cx-webhook/{token}/?event=ringing&id=%00&callerid=%00",
])
def test_nul_characters_in_a_lookup_get_a_4xx(client, target, path):
    response = client.get(path.format(**target), HTTP_TOKEN=target["key"])

    assert 400 <= response.status_code < 500, response.content


def test_a_call_id_holding_a_nul_is_not_found(client, target):
    response = client.get("/api/v1/calls/%00", HTTP_TOKEN=target["key"])

    assert response.status_code == 404
    assert response.json()["status"] == "error"
