"""End to end on the 3CX sample: parse both logs and the CDR, group, assemble, derive."""
from __future__ import annotations

import json
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from hub.assembly import assemble_call, derive_events, derive_standalone_events, group_calls, in_catalogue_order
from hub.catalogue import get, payload_problems
from hub.catalogue.seed000 import SEED000_TRIGGERS
from hub.vocabulary.pbx_event import Source

from integrations.threecx_cdr import parse_cdr_text
from integrations.threecx_logs import parse_text

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "3cx"
TZ = timezone(timedelta(hours=11))
SEED = {t.key for t in SEED000_TRIGGERS}


@pytest.fixture(scope="module")
def parsed():
    events = []
    for name, source in (("3CXCallFlow.log", Source.CALLFLOW), ("3CXQueueManager.log", Source.QUEUEMANAGER)):
        events += parse_text((SAMPLE / name).read_bytes(), tz=TZ, source=source).events
    events += parse_cdr_text((SAMPLE / "cdr.log").read_bytes())[0]
    calls, loose = group_calls(events)
    return [(assemble_call(c, tz=TZ), c) for c in calls], loose


def test_sample_calls_match_expected_calls_exactly(parsed):
    expected = json.loads((SAMPLE / "expected_calls.json").read_text("utf-8"))["calls"]
    calls, _ = parsed
    got = sorted((call.to_dict() for call, _ in calls), key=lambda c: c["unique_call_id"])
    assert len(got) == len(expected)
    for mine, theirs in zip(got, sorted(expected, key=lambda c: c["unique_call_id"])):
        assert mine == theirs


def _derived(parsed):
    calls, loose = parsed
    events = [e for call, raw in calls for e in derive_events(call, raw)]
    return in_catalogue_order([*events, *derive_standalone_events(loose, tz=TZ)])


def test_sample_seed_events_match_expected_events_in_order(parsed):
    expected = json.loads((SAMPLE / "expected_events.json").read_text("utf-8"))
    got = [{"event": e.trigger, **e.payload} for e in _derived(parsed) if e.trigger in SEED]
    assert got == expected


def test_sample_derived_events_all_fit_the_catalogue_and_have_unique_keys(parsed):
    derived = _derived(parsed)
    assert [p for e in derived for p in payload_problems(get(e.trigger), e.payload)] == []
    assert len({e.key for e in derived}) == len(derived)
