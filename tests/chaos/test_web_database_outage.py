"""gunicorn while PostgreSQL is down: pushes and API calls get 503 with a JSON body and
Retry-After (never a 500 page), the web process stays up, and the same push succeeds after."""
import json
import time
from datetime import datetime, timedelta, timezone

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


# Longer than the lateness allowance (30 s) and the bar of a minute.
LONG_OUTAGE_SECONDS = 65


def _live(event_id: str, kind: str, at: datetime, call: str, **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": at.isoformat(), "pbx_call_id": call, "data": data}


def _push_until_accepted(url: str, body: list[dict], *, alive) -> int:
    """A sender's retries: again after each 503's Retry-After (shortened: nothing here is timed)."""
    refused = 0
    while True:
        response = requests.post(url, json=body, timeout=30)
        if response.status_code == 202:
            return refused
        assert response.status_code == 503, response.text[:500]
        assert alive.proc.poll() is None
        refused += 1
        time.sleep(1)


def test_pushes_retried_after_a_long_outage_give_completions_with_the_answered_truth(hub_on_redis, chaos_postgres):
    """Two gunicorn workers, the worker and beat: a call is answered and ends while PostgreSQL is
    down for more than a minute; the PBX's next call is pushed as soon as the database is back,
    and only then are the answer and the end retried. The completion that goes out says the call
    was answered, when, and who called (before the outage's hold it went out unanswered)."""
    hub = hub_on_redis
    token = hub.pbx_token()
    web, base = hub.web(workers=2)
    push = f"{base}/ingest/events/{token}/"
    worker, beat = hub.worker(), hub.beat()
    wait_for(lambda: _up(base), timeout=60, what="gunicorn to answer", alive=web)
    start = datetime.now(timezone.utc)
    answered_at = start + timedelta(seconds=5)
    assert requests.post(push, json=[_live("a-in", "call.incoming", start, "71", caller_number="+61390001234"),
                                      _live("a-ring", "user.ringing", start, "71", user="102")],
                         timeout=30).status_code == 202

    chaos_postgres.stop()
    try:
        refused_at = time.monotonic()
        answer = [_live("a-answer", "call.answered", answered_at, "71", user="102")]
        end = [_live("a-end", "call.terminated", start + timedelta(seconds=20), "71", reason="TerminatedBySrc")]
        for _ in range(6):  # the PBX's first tries, spread over both workers
            for body in (answer, end):
                assert requests.post(push, json=body, timeout=30).status_code == 503
        time.sleep(max(0.0, LONG_OUTAGE_SECONDS - (time.monotonic() - refused_at)))
        for process in (web, worker, beat):
            assert process.proc.poll() is None, process.output()[-4000:]
    finally:
        chaos_postgres.start()

    # The next call comes first, far past the refused pushes and the allowance; then the retries.
    _push_until_accepted(push, [_live("b-in", "call.incoming", datetime.now(timezone.utc), "72",
                                      caller_number="+61390005555")], alive=web)
    _push_until_accepted(push, end, alive=web)
    _push_until_accepted(push, answer, alive=web)

    def completion():
        rows = hub.query("SELECT payload FROM hub_catalogueevent WHERE trigger = 'user_inbound_completed' "
                         "AND payload->>'caller_id' = '+61390001234'")
        return rows[0][0] if rows else None

    payload = wait_for(completion, timeout=240, interval=1, what="the first call's completion", alive=worker)
    assert datetime.fromisoformat(payload["connected_at"]) == answered_at.replace(microsecond=0)
    assert payload["caller_id"] == "+61390001234"
    assert hub.scalar("SELECT count(*) FROM hub_databaseoutage") >= 1
    assert hub.scalar("SELECT count(*) FROM hub_catalogueevent WHERE trigger = 'user_inbound_completed' "
                      "AND payload->>'caller_id' = '+61390001234'") == 1
    assert "Traceback" not in web.output()
