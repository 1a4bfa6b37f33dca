"""The 3CX sample (tests/fixtures/samples/3cx) as PbxEvents, for end-to-end ingest tests."""
import json
from functools import cache
from pathlib import Path

from hub.vocabulary.pbx_event import Source
from hub.vocabulary.timezones import parse_timezone
from integrations.threecx_cdr import parse_cdr_text
from integrations.threecx_logs import parse_text

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "3cx"
TZ = parse_timezone("+11:00")


@cache
def sample_events() -> dict[str, list]:
    callflow = parse_text((SAMPLE_DIR / "3CXCallFlow.log").read_bytes(), tz=TZ, source=Source.CALLFLOW).events
    queue = parse_text((SAMPLE_DIR / "3CXQueueManager.log").read_bytes(), tz=TZ, source=Source.QUEUEMANAGER).events
    cdr, _ = parse_cdr_text((SAMPLE_DIR / "cdr.log").read_bytes())
    return {"callflow": callflow, "queuemanager": queue, "cdr": cdr}


def expected_calls() -> list[dict]:
    return json.loads((SAMPLE_DIR / "expected_calls.json").read_text())["calls"]


def expected_events() -> list[dict]:
    return json.loads((SAMPLE_DIR / "expected_events.json").read_text())
