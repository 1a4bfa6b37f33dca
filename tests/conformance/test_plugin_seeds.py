"""Seeds 001-003 (the 3CX Webhook plugin), replayed: every GET and POST example the seeds show,
pushed in their order to /ingest/3cx-webhook/<token>/, and checked for the stored call, its
call-history rows, its catalogue events, and what the hub sends back out in the plugin's own
dialect, field for field against the seed's requests.

The flows are tests/fixtures/threecx_plugin/seed_flows.json; what is expected of each is
tests/fixtures/conformance/plugin_flows.json. An expected message is either {"seed": i} (the
flow's i-th request, as the seed prints it: every field, in its order) or the hub's own fields
with the reason they differ; every seed request is either matched or listed under not_sent with
a reason, so a difference from a seed is always written down.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from hub.models import Call, CatalogueEvent
from integrations.delivery import EndpointConfig, render
from tests.api.test_plugin_seed_flows import FLOWS, push_flow

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "conformance" / "plugin_flows.json")
                      .read_text(encoding="utf-8"))
DIALECT = {"get": "3cx-plugin-get", "post": "3cx-plugin-post"}


def seed_requests(flow: dict) -> list[list[list]]:
    """The flow's requests as (field, value) pairs in the seed's order; a recording's FILES as a list."""
    out = [[list(pair) for pair in parse_qsl(query, keep_blank_values=True)] for query in flow.get("get", [])]
    out += [[[k, v] for k, v in body.items()] for body in flow.get("post", [])]
    if "raw" in flow:
        out.append([["raw", flow["raw"]["body"]]])
    return out


def sent(request) -> list[list]:
    if request.method == "GET":
        return [list(pair) for pair in parse_qsl(urlsplit(request.url).query, keep_blank_values=True)]
    return [[k, v] for k, v in json.loads(request.body).items()]


def hub_messages(calls, dialect: str, options: dict) -> list[list[list]]:
    endpoint = EndpointConfig(url="http://receiver.test/hook", dialect=dialect, **options)
    out = []
    for call in calls:
        for event in CatalogueEvent.objects.filter(call=call).order_by("sequence"):
            request = render(event.trigger, event.payload, endpoint)
            if request is not None:
                out.append(sent(request))
    return out


def expected_messages(flow: dict, expected: dict) -> list[list[list]]:
    seed = seed_requests(flow)
    return [seed[entry["seed"]] if "seed" in entry else entry["fields"] for entry in expected["out"]]


FLOW_NAMES = [name for name in EXPECTED if not name.startswith("_")]


def test_every_seed_flow_has_its_expectations():
    assert sorted(FLOW_NAMES) == sorted(name for name in FLOWS if not name.startswith("_"))


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_every_seed_request_is_sent_back_out_or_its_difference_written_down(name):
    flow, expected = FLOWS[name], EXPECTED[name]
    matched = {entry["seed"] for entry in expected["out"] if "seed" in entry}
    explained = {entry["seed"] for entry in expected.get("not_sent", []) if entry.get("why")}
    assert matched | explained == set(range(len(seed_requests(flow))))
    assert all(entry.get("why") for entry in expected["out"] if "seed" not in entry)


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_the_plugins_requests_replayed_give_the_seeds_call_history_and_requests(client, token, api_key, name):
    flow, expected = FLOWS[name], EXPECTED[name]
    push_flow(client, token, name)

    calls = list(Call.objects.order_by("call_start_at", "unique_call_id"))
    assert [call.unique_call_id for call in calls] == [c["unique_call_id"] for c in expected["calls"]]
    for call, want in zip(calls, expected["calls"]):
        assert [[u.user, u.status] for u in call.user_legs.order_by("position")] == want["users"]
        assert [[q.queue, q.status, q.agent] for q in call.queue_legs.order_by("position")] == want.get("queues", [])
        assert call.conversation_duration == want["conversation_duration"]
        assert [e.trigger for e in CatalogueEvent.objects.filter(call=call).order_by("sequence")] == want["triggers"]

    rows = client.get("/api/integration/v2/get-user-calls", HTTP_TOKEN=api_key).json()["data"]
    assert sorted([r["unique_call_id"], r["type"], r["user_number"], r["conversation_duration"]] for r in rows) == \
        sorted(expected["user_calls"])
    queue_rows = client.get("/api/integration/v2/get-queue-calls", HTTP_TOKEN=api_key).json()["data"]
    assert [[r["queue_number"], r["status"], r["outcome"], r["user_number"]] for r in queue_rows] == \
        expected.get("queue_calls", [])

    dialect = DIALECT[expected["dialect"]]
    assert hub_messages(calls, dialect, expected.get("endpoint", {})) == expected_messages(flow, expected)
