"""The 3CX sample logs parse completely and agree with expected_events.json."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.vocabulary.pbx_event import Kind, Source
from integrations.threecx_logs import detect_source, parse_text

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "3cx"
MELBOURNE = ZoneInfo("Australia/Melbourne")  # the sample's +11:00 on 2025-03-01

# seed-000 event name -> the Kind the QueueManager log yields it from
SEED_EVENTS = {
    "call_received": Kind.QUEUE_CALL_RECEIVED,
    "call_terminated": Kind.QUEUE_CALL_TERMINATED,
    "call_answered": Kind.QUEUE_CALL_ANSWERED,
    "call_queue_transfer": Kind.QUEUE_CALL_TRANSFERRED,
    "callback_requested": Kind.QUEUE_CALLBACK_REQUESTED,
    "callback_initiated": Kind.QUEUE_CALLBACK_INITIATED,
    "call_dtmf": Kind.QUEUE_DTMF,
    "agent_status": Kind.AGENT_STATUS,
    "callback_failed": Kind.QUEUE_CALLBACK_FAILED,
}

# seed-000 payload field -> PbxEvent data key, where they differ
SEED_KEYS = {
    "new_qcid": "to_qcid",
    "original_qcid": "for_qcid",
    "callback_number": "number",
    "phone_reg": "registered",
}

def parse_sample(name: str):
    data = (SAMPLES / name).read_bytes()
    source = detect_source(name, data[:4096])
    return source, parse_text(data, tz=MELBOURNE, source=source)


def expected_events() -> list[dict]:
    return json.loads((SAMPLES / "expected_events.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["3CXCallFlow.log", "3CXQueueManager.log"])
def test_sample_has_no_unrecognised_lines(name):
    # Only noise is skipped: ScriptRunner/VCEHost/OmCalls chatter and the [CallFlow] SIP parser
    # warning, which is logged under CallFlow but is not a step of any call.
    _, result = parse_sample(name)

    assert all(reason.startswith("noise:") for reason in result.skipped), result.skipped
    assert result.lines == (SAMPLES / name).read_bytes().count(b"\n")


@pytest.mark.parametrize("name", ["3CXCallFlow.log", "3CXQueueManager.log"])
def test_every_tagged_sample_line_except_noise_becomes_an_event(name):
    source, result = parse_sample(name)
    tag = "[CallFlow]" if source is Source.CALLFLOW else "[QueueManager]"
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()

    tagged = [line for line in lines if f"| {tag} " in line and "Unparsable SIP" not in line]

    assert [e.raw for e in result.events] == tagged


def test_queue_event_counts_match_expected_events():
    _, result = parse_sample("3CXQueueManager.log")
    expected = Counter(e["event"] for e in expected_events() if e["event"] in SEED_EVENTS)
    kinds = Counter(e.kind for e in result.events)

    assert {event: kinds[kind] for event, kind in SEED_EVENTS.items()} == expected
    assert expected["call_received"] == 31 and expected["callback_failed"] == 1


def by_identity(pairs) -> dict:
    """(seed event name, qcid or agent, n-th occurrence) -> item, so order does not matter."""
    seen: Counter = Counter()
    keyed = {}
    for name, ident, item in pairs:
        seen[name, ident] += 1
        keyed[name, ident, seen[name, ident]] = item
    return keyed


def test_queue_event_fields_match_expected_events():
    _, result = parse_sample("3CXQueueManager.log")
    event_name = {kind: name for name, kind in SEED_EVENTS.items()}
    ours = by_identity(
        (event_name[e.kind], e.data.get("qcid", e.data.get("agent")), e)
        for e in result.events if e.kind in event_name
    )
    theirs = by_identity(
        (s["event"], s.get("qcid", s.get("agent")), s)
        for s in expected_events() if s["event"] in SEED_EVENTS
    )

    assert ours.keys() == theirs.keys()
    for key, seed in theirs.items():
        event = ours[key]
        assert event.occurred_at.replace(microsecond=0).isoformat() == seed["timestamp"]
        # Every seed field the log line itself carries must agree; the rest is enrichment.
        renamed = {SEED_KEYS.get(key, key): value for key, value in seed.items()}
        shared = {key: value for key, value in renamed.items() if key in event.data}
        assert shared == {k: event.data[k] for k in shared}, seed
        assert len(shared) >= 2
        if seed["event"] == "call_received":
            assert (event.pbx_call_id, event.data["caller_name"]) == (
                seed["pbx_call_id"], seed["caller_name"]
            )


def test_callflow_sample_carries_did_and_trunk_for_enrichment():
    _, result = parse_sample("3CXCallFlow.log")
    incoming = {e.pbx_call_id: e.data for e in result.events if e.kind is Kind.CALL_INCOMING}

    for seed in expected_events():
        if seed["event"] == "call_received" and seed["pbx_call_id"] in incoming:
            data = incoming[seed["pbx_call_id"]]
            assert (data["did"], data["trunk_name"]) == (seed["did"], seed["trunk"])
