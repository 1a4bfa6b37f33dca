"""gunicorn while PostgreSQL is down: pushes and API calls get 503 with a JSON body and
Retry-After (never a 500 page), the web process stays up, and the same push succeeds after."""
import json

import pytest
import requests
import schemathesis

from tests.ingest.hub_processes import wait_for

pytestmark = pytest.mark.services


def _event(event_id: str, kind: str, at: str, **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": f"2025-03-01T09:{at}+11:00", "pbx_call_id": "4521",
            "data": data}


RINGING = [_event("e1", "call.incoming", "14:22", caller_number="+61390001234", did="+61386001000"),
           _event("e2", "user.ringing", "14:23", user="102")]
ANSWERED = [_event("e3", "call.answered", "14:30", user="102"),
            _event("e4", "call.terminated", "16:02", reason="TerminatedBySrc")]


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still importing the app
        return False


def _assert_unavailable(response: requests.Response, operation) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["status"] == "error" and response.json()["code"] == 503
    operation.validate_response(response)  # the body the published schema documents for a 503
    assert "Retry-After" in operation.definition.raw["responses"]["503"]["headers"]


def test_requests_during_a_database_outage_get_503_json_and_the_push_succeeds_after(hub_on_redis, chaos_postgres):
    hub = hub_on_redis
    token = hub.pbx_token()
    hub.manage("whitelist_ip", "--account", "acme", "127.0.0.1")
    api_key = json.loads(hub.manage("create_api_key", "--account", "acme", "--json"))["api_key"]
    web, base = hub.web()
    wait_for(lambda: _up(base), timeout=60, what="gunicorn to answer", alive=web)
    push = f"{base}/ingest/events/{token}/"
    calls = f"{base}/api/v1/calls"
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/?format=json")
    push_op, calls_op = schema["/ingest/events/{token}/"]["POST"], schema["/api/v1/calls"]["GET"]
    assert requests.post(push, json=RINGING, timeout=10).status_code == 202
    assert requests.get(calls, headers={"X-Api-Key": api_key}, timeout=10).status_code == 200

    chaos_postgres.stop()
    try:
        _assert_unavailable(requests.post(push, json=ANSWERED, timeout=30), push_op)
        _assert_unavailable(requests.get(calls, headers={"X-Api-Key": api_key}, timeout=30), calls_op)
        _assert_unavailable(requests.post(push, json=ANSWERED, timeout=30), push_op)  # a kept connection or a new one
        assert requests.get(f"{base}/readyz", timeout=30).status_code == 503
        assert web.proc.poll() is None
    finally:
        chaos_postgres.start()

    # The first request after the restart may still meet a dead kept connection: health checks
    # replace it, so the PBX's very next retry is stored.
    response = requests.post(push, json=ANSWERED, timeout=30)
    assert response.status_code == 202, response.text[:500]
    assert response.json()["stored"] == 2
    assert hub.scalar("SELECT count(*) FROM hub_storedpbxevent") == 4
    assert "Traceback" not in web.output()
