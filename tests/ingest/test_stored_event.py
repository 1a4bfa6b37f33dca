"""stored_event: the event as it reads back once stored, the event itself when that is the same."""
from datetime import datetime, timezone
from enum import StrEnum

import pytest

from hub.services.ingest.rows import stored_event
from hub.vocabulary.pbx_event import Kind, PbxEvent, Source


class Colour(StrEnum):
    RED = "red"


def _event(data) -> PbxEvent:
    return PbxEvent(source=Source.CDR, kind=Kind.CDR_RECORD, occurred_at=datetime(2025, 3, 1, tzinfo=timezone.utc),
                    pbx_call_id="7", dedupe_key="k", data=data)


@pytest.mark.parametrize("data", [
    {"user": "102", "duration": 63, "ok": True, "rate": 1.5, "none": None},
    {"chain": ["Ext.102", {"queue": "822"}], "missed_queue_calls": []},
    {},
])
def test_data_that_json_keeps_as_it_is_leaves_the_event_alone(data):
    event = _event(data)
    assert stored_event(event) is event


@pytest.mark.parametrize(("data", "read_back"), [
    ({1: "one"}, {"1": "one"}),
    ({"colour": Colour.RED}, {"colour": "red"}),
    ({"chain": ("a", "b")}, {"chain": ["a", "b"]}),
    ({"nested": [{"n": {2: Colour.RED}}]}, {"nested": [{"n": {"2": "red"}}]}),
])
def test_data_that_json_changes_is_stored_as_it_reads_back(data, read_back):
    stored = stored_event(_event(data))
    assert stored.data == read_back
    assert [type(v) for v in stored.data.values()] == [type(v) for v in read_back.values()]
