"""Every sample input in tests/fixtures/threecx_logs/ against the normalised output next to it."""
from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import parse_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threecx_logs"
PAIRS = sorted(FIXTURES.glob("*.log"))


def normalise(event) -> dict:
    return {
        "kind": str(event.kind),
        "occurred_at": event.occurred_at.isoformat(),
        "pbx_call_id": event.pbx_call_id,
        "data": event.data,
    }


def test_every_fixture_has_its_expected_output():
    expected = {p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json")}
    assert expected == {p.stem for p in PAIRS}


@pytest.mark.parametrize("log", PAIRS, ids=lambda p: p.stem)
def test_fixture_parses_to_expected_events(log: Path):
    expected = json.loads(log.with_suffix(".expected.json").read_text(encoding="utf-8"))
    source = Source(expected["source"])

    result = parse_text(log.read_bytes(), tz=ZoneInfo(expected["tz"]), source=source)

    assert [normalise(e) for e in result.events] == expected["events"]
    assert dict(result.skipped) == expected["skipped"]
    assert all(e.source is source and e.raw in log.read_text("utf-8") for e in result.events)
