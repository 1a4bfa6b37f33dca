"""The hub's own JSON push: single events, lists, re-sends, limits and field-named errors."""
from __future__ import annotations

import json

import pytest

from hub.models import Call, CallState, CatalogueEvent, StoredPbxEvent
from integrations.native_json import MAX_EVENTS
from tests.api.push import NATIVE, accepted, push_json


def event(event_id: str, kind: str, at: str, **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": f"2025-03-01T09:{at}+11:00", "pbx_call_id": "4521",
            "data": data}


ANSWERED_CALL = [
    event("e1", "call.incoming", "14:22", caller_number="+61390001234", did="+61386001000"),
    event("e2", "user.ringing", "14:23", user="102"),
    event("e3", "call.answered", "14:30", user="102"),
    event("e4", "call.terminated", "16:02", reason="TerminatedBySrc"),
]


def test_a_single_event_object_is_stored(client, token, pbx) -> None:
    response = push_json(client, token, ANSWERED_CALL[0])

    assert response.status_code == 202
    assert response.json() == accepted(1, 1)
    (stored,) = StoredPbxEvent.objects.filter(pbx=pbx)
    assert (stored.source, stored.kind, stored.dedupe_key, stored.pbx_call_id) == ("native", "call.incoming", "e1", "4521")
    assert stored.data == {"caller_number": "+61390001234", "did": "+61386001000"}


def test_a_list_makes_a_call_with_an_answered_user_leg(client, token) -> None:
    assert push_json(client, token, ANSWERED_CALL).json() == accepted(4, 4)

    (call,) = Call.objects.all()
    assert (call.direction, call.state, call.caller_number) == ("inbound", CallState.ENDED, "+61390001234")
    assert call.conversation_duration == 92
    assert [(leg.user, leg.status) for leg in call.user_legs.all()] == [("102", "answered")]


def test_a_resent_push_adds_nothing(client, token) -> None:
    push_json(client, token, ANSWERED_CALL)
    counts = (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count())

    assert push_json(client, token, ANSWERED_CALL).json() == accepted(4, 0, duplicates=4)
    assert (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count()) == counts


def test_a_push_overlapping_an_earlier_one_stores_only_the_new_events(client, token) -> None:
    push_json(client, token, ANSWERED_CALL[:2])

    assert push_json(client, token, ANSWERED_CALL).json() == accepted(4, 2, duplicates=2)


def test_an_empty_list_is_accepted_and_does_nothing(client, token) -> None:
    assert push_json(client, token, []).json() == accepted(0, 0)


def test_max_events_are_accepted(client, token) -> None:
    statuses = [{"id": f"s{i}", "kind": "agent.status", "occurred_at": "2025-03-01T09:00:00Z",
                 "data": {"agent": "102", "logged_in": i % 2 == 0}} for i in range(MAX_EVENTS)]

    assert push_json(client, token, statuses).json() == accepted(MAX_EVENTS, MAX_EVENTS)


def test_more_than_max_events_are_refused_whole(client, token) -> None:
    statuses = [{"id": f"s{i}", "kind": "agent.status", "occurred_at": "2025-03-01T09:00:00Z"}
                for i in range(MAX_EVENTS + 1)]

    response = push_json(client, token, statuses)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "field": "events",
                                "message": f"events: {MAX_EVENTS + 1} events in one push; at most {MAX_EVENTS}"}
    assert StoredPbxEvent.objects.count() == 0


def test_one_bad_event_refuses_the_whole_list(client, token) -> None:
    bad = [*ANSWERED_CALL[:2], {**ANSWERED_CALL[2], "kind": "call.exploded"}]

    response = push_json(client, token, bad)

    assert response.json()["field"] == "events[2].kind"
    assert StoredPbxEvent.objects.count() == 0


SINGLE = ANSWERED_CALL[0]


@pytest.mark.parametrize("payload, field", [
    pytest.param({k: v for k, v in SINGLE.items() if k != "id"}, "id", id="missing id"),
    pytest.param({**SINGLE, "id": ""}, "id", id="empty id"),
    pytest.param({**SINGLE, "kind": "cdr.record"}, "kind", id="cdr record"),
    pytest.param({**SINGLE, "kind": "call.exploded"}, "kind", id="unknown kind"),
    pytest.param({**SINGLE, "occurred_at": "2025-03-01T09:14:22"}, "occurred_at", id="no offset"),
    pytest.param({**SINGLE, "occurred_at": "yesterday"}, "occurred_at", id="not a date"),
    pytest.param({**SINGLE, "pbx_call_id": 4521}, "pbx_call_id", id="number call id"),
    pytest.param({**SINGLE, "data": []}, "data", id="data a list"),
    pytest.param({**SINGLE, "data": {"did": 5}}, "data.did", id="data value type"),
    pytest.param({**SINGLE, "kind": "call.routed", "data": {"target_type": "moon"}}, "data.target_type", id="enum"),
    pytest.param({**SINGLE, "extra": 1}, "extra", id="unknown field"),
    pytest.param([SINGLE, "nope"], "events[1]", id="list item not an object"),
    pytest.param("a string", "body", id="a JSON string"),
    pytest.param(b'{"id": "e1", ', "body", id="broken JSON"),
    pytest.param(b"", "body", id="empty body"),
    pytest.param(b"\xff\xfe\x00garbage", "body", id="not UTF-8"),
    pytest.param(b'{"id": "e1", "kind": "call.incoming", "occurred_at": NaN}', "body", id="NaN"),
    pytest.param(b"[" * 100_000, "body", id="nested too deep"),
    pytest.param(b'{"id": "e\\ud800", "kind": "call.incoming", "occurred_at": "2025-03-01T09:14:22Z"}', "body",
                 id="lone surrogate"),
])
def test_each_error_names_its_field(client, token, payload, field: str) -> None:
    response = push_json(client, token, json.dumps(payload) if isinstance(payload, str) else payload)

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["field"] == field
    assert body["message"].startswith(f"{field}: ")
    assert StoredPbxEvent.objects.count() == 0


def test_the_content_type_is_not_required_to_say_json(client, token) -> None:
    response = client.post(NATIVE.format(token=token), data=json.dumps(SINGLE), content_type="text/plain")

    assert response.status_code == 202


def test_the_reply_is_json_whatever_the_caller_accepts(client, token) -> None:
    response = push_json(client, token, SINGLE, HTTP_ACCEPT="text/html")

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"


def test_native_url_without_the_trailing_slash_works_too(client, token) -> None:
    response = client.post(f"/ingest/events/{token}", data=json.dumps(SINGLE), content_type="application/json")

    assert response.status_code == 202
