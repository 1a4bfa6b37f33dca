"""Seed 000 (3CXCallEventstoREST): log lines that say what its README's example payloads
describe, read by the hub's log parsers, go out in the 3cx-to-rest dialect as the README's
three example requests: the path of its example config, Content-Type and the Bearer token,
and the body byte for byte (every field, in the tool's order)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.assembly import assemble_call, derive_events, derive_standalone_events, group_calls
from hub.vocabulary.pbx_event import Source
from hub.vocabulary.timezones import parse_timezone
from integrations.delivery import EndpointConfig, render
from integrations.delivery.dialects.jsonbody import go_json
from integrations.threecx_logs import parse_text

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "conformance" / "seed000"
README = json.loads((HERE / "readme_examples.json").read_text(encoding="utf-8"))
TZ = parse_timezone("+11:00")


@pytest.fixture(scope="module")
def requests() -> list[tuple[str, object]]:
    events = []
    for name, source in (("3CXCallFlow.log", Source.CALLFLOW), ("3CXQueueManager.log", Source.QUEUEMANAGER)):
        events += parse_text((HERE / name).read_bytes(), tz=TZ, source=source).events
    calls, loose = group_calls(events)
    derived = [e for call in calls for e in derive_events(assemble_call(call, tz=TZ), call)]
    derived += derive_standalone_events(loose, tz=TZ)
    endpoint = EndpointConfig(url=README["config"]["base_url"], dialect="3cx-to-rest",
                              bearer_token=README["config"]["token"])
    return [(e.trigger, request) for e in derived if (request := render(e.trigger, e.payload, endpoint))]


@pytest.mark.parametrize("example", README["examples"], ids=[e["event"] for e in README["examples"]])
def test_the_readmes_example_request_is_what_the_hub_sends(requests, example):
    mine = [r for trigger, r in requests if trigger == example["event"]
            and json.loads(r.body).get("qcid", example["body"].get("qcid")) == example["body"].get("qcid")]
    assert len(mine) == 1
    request = mine[0]
    assert (request.method, request.url) == ("POST", README["config"]["base_url"] + example["path"])
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {README['config']['token']}"
    assert request.body == go_json(example["body"])  # field for field, in the README's order


def test_each_readme_event_goes_to_its_own_path_and_nothing_goes_without_one(requests):
    paths = {trigger: r.url.removeprefix(README["config"]["base_url"]) for trigger, r in requests}
    assert {e["event"]: e["path"] for e in README["examples"]}.items() <= paths.items()
    assert all(path.startswith(("/call/", "/agent/")) for path in paths.values())
