"""Generated traffic goes through the hub's real 3CX parsers without leftovers."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hub.vocabulary.pbx_event import Source
from integrations.simulator import generate

threecx_logs = pytest.importorskip("integrations.threecx_logs")
threecx_cdr = pytest.importorskip("integrations.threecx_cdr")

MELBOURNE = ZoneInfo("Australia/Melbourne")


@pytest.fixture(scope="module")
def traffic():
    lines = list(generate(start=datetime(2025, 3, 1, 8, tzinfo=MELBOURNE), n_calls=1000, seed=4))
    return {stream: "".join(line.text + "\n" for line in lines if line.stream == stream)
            for stream in ("callflow", "queuemanager", "cdr")}


@pytest.mark.parametrize("stream,source", [("callflow", Source.CALLFLOW),
                                           ("queuemanager", Source.QUEUEMANAGER)])
def test_generated_logs_parse_with_nothing_unrecognised_but_noise(traffic, stream, source):
    result = threecx_logs.parse_text(traffic[stream], tz=MELBOURNE, source=source)

    assert all(reason.startswith("noise:") for reason in result.skipped), result.skipped
    assert result.events
    assert result.lines == traffic[stream].count("\n")


def test_generated_cdr_lines_parse_with_the_default_fields(traffic):
    lines = traffic["cdr"].splitlines()
    events = [threecx_cdr.parse_cdr_line(line) for line in lines]

    assert len(events) == 1000
    assert all(event.pbx_call_id for event in events)
