"""Found by the schemathesis run: a second start event of a call, in the second the call started,
was a 500 (IntegrityError on hub_call (pbx_id, unique_call_id)).

The linker (hub/services/ingest/linking.py, mirrored in hub/assembly/linking.py) opens a new
call for a start event when the call of that number already has one; the new call starts in the
same second, so assembly gives it the same unique_call_id (YYMMDDHHMMSS_<pbx call id>) and the
UPDATE from ``pending-…`` to that id violates the unique constraint. A PBX reaches it by
repeating itself (a retried push under a new event id) or, for the 3CX plugin, by sending the
same call id as ``incoming`` and as ``outgoing``.

Fixed: a start line joins a call of its number that has not ended (hub/services/ingest/linking.py).
"""
from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import make_account

PLUGIN = {"callerid": "420774852629", "user": "102", "finishtype": "Ok", "transfer": "False",
          "did": "DID-420222000320", "title": "DID-420222000320:Answered call from 420774852629 (0:07)",
          "id": "230115121143_9-1"}
NATIVE = {"kind": "call.incoming", "occurred_at": "2025-03-01T09:14:22+11:00", "pbx_call_id": "4521",
          "data": {"caller_number": "+61390001234", "did": "+61386001000"}}


@pytest.fixture
def token(db) -> str:
    return make_account("acme", timezone="Europe/Prague")[2]


def _post(path: str, body) -> int:
    client = Client(raise_request_exception=False)
    return client.post(path, json.dumps(body), content_type="application/json").status_code


def test_plugin_call_seen_incoming_then_outgoing(token) -> None:
    path = f"/ingest/3cx-webhook/{token}/"

    assert _post(path, PLUGIN | {"event": "incoming"}) == 202
    assert _post(path, PLUGIN | {"event": "outgoing"}) == 202


def test_native_start_repeated_under_a_new_event_id(token) -> None:
    path = f"/ingest/events/{token}/"

    assert _post(path, NATIVE | {"id": "pbx7-000123"}) == 202
    assert _post(path, NATIVE | {"id": "pbx7-000123-retry"}) == 202


def test_the_same_event_twice_is_a_duplicate_not_an_error(token) -> None:
    path = f"/ingest/events/{token}/"

    assert _post(path, NATIVE | {"id": "pbx7-000123"}) == 202
    assert _post(path, NATIVE | {"id": "pbx7-000123"}) == 202
