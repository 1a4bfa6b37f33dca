"""``3cx-to-rest`` over the whole 3CX sample: every body is the one seed 000's tool sends
(tests/fixtures/samples/3cx/expected_events.json), field for field."""
from __future__ import annotations

import json

from hub.assembly import assemble_call, derive_events, derive_standalone_events, group_calls
from integrations.delivery import EndpointConfig, render
from tests.ingest.samples import TZ, expected_events, sample_events

ENDPOINT = EndpointConfig(url="http://receiver.test/api/v1/3cx/events", dialect="3cx-to-rest")


def _sorted(pairs) -> list[str]:
    return sorted(json.dumps([trigger, body], sort_keys=True) for trigger, body in pairs)


def test_every_seed_000_body_of_the_sample_is_the_samples() -> None:
    events = [e for stream in sample_events().values() for e in stream]
    calls, loose = group_calls(events)
    derived = [e for call_events in calls for e in derive_events(assemble_call(call_events, tz=TZ), call_events)]
    derived += derive_standalone_events(loose, tz=TZ)

    sent = [(e.trigger, render(e.trigger, e.payload, ENDPOINT)) for e in derived]
    got = [(trigger, json.loads(request.body)) for trigger, request in sent if request is not None]
    expected = [(e["event"], {k: v for k, v in e.items() if k != "event"}) for e in expected_events()]
    assert _sorted(got) == _sorted(expected)
