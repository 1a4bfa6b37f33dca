"""The ingest token in a header, on the push URLs without one; the URL form stays for the plugin."""
from __future__ import annotations

import json

import pytest

from tests.api.push import accepted

EVENT = {"id": "h1", "kind": "call.incoming", "occurred_at": "2025-03-01T08:00:00+11:00", "pbx_call_id": "c1",
         "data": {"from": "0355501234"}}
PLUGIN_QUERY = "event=ringing&id=230102104542_15-1&callerid=420774852629&user=102&usertype=ext"


@pytest.mark.parametrize("path", ["/ingest/events/", "/ingest/events"])
@pytest.mark.parametrize("header", ["Authorization", "X-Pbx-Token"])
def test_a_native_push_with_the_token_in_a_header_is_accepted(client, token, path, header):
    value = f"Bearer {token}" if header == "Authorization" else token

    response = client.post(path, data=json.dumps(EVENT), content_type="application/json", headers={header: value})

    assert response.status_code == 202
    assert response.json() == accepted(1, 1)


@pytest.mark.parametrize("path", ["/ingest/3cx-webhook/", "/ingest/3cx-webhook"])
def test_a_plugin_push_with_the_token_in_a_header_is_accepted(client, token, path):
    response = client.get(f"{path}?{PLUGIN_QUERY}", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 202


def test_the_token_in_the_url_still_works(client, token):
    response = client.post(f"/ingest/events/{token}/", data=json.dumps(EVENT), content_type="application/json")

    assert response.json() == accepted(1, 1)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "},
                                     {"X-Pbx-Token": " "}])
def test_a_token_less_url_without_a_token_header_gets_401_saying_where_it_goes(client, token, headers):
    response = client.post("/ingest/events/", data=json.dumps(EVENT), content_type="application/json",
                           headers=headers)

    assert response.status_code == 401
    assert "Authorization: Bearer <token>" in response.json()["message"]


def test_an_unknown_token_in_a_header_gets_the_same_404_as_in_the_url(client, token):
    in_header = client.post("/ingest/events/", data=json.dumps(EVENT), content_type="application/json",
                            headers={"X-Pbx-Token": token + "x"})
    in_url = client.post(f"/ingest/events/{token}x/", data=json.dumps(EVENT), content_type="application/json")

    assert in_header.status_code == in_url.status_code == 404
    assert in_header.json() == in_url.json()
