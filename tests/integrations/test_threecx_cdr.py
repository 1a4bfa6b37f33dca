"""3CX CDR line parser: fixture pairs, the shared sample, and properties."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.threecx_cdr import (
    DEFAULT_FIELDS,
    CdrError,
    parse_cdr_line,
    parse_cdr_text,
    validate_fields,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threecx_cdr"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "3cx"
V20_LINE = (FIXTURES / "v20_queue_answered.cdr").read_text(encoding="utf-8").strip()


def event_as_dict(event) -> dict:
    return {
        "source": str(event.source),
        "kind": str(event.kind),
        "occurred_at": event.occurred_at.isoformat(),
        "pbx_call_id": event.pbx_call_id,
        "dedupe_key": event.dedupe_key,
        "data": event.data,
    }


@pytest.mark.parametrize("cdr_file", sorted(FIXTURES.glob("*.cdr")), ids=lambda path: path.stem)
def test_cdr_fixture_parses_to_expected_events(cdr_file: Path) -> None:
    expected = json.loads(cdr_file.with_suffix(".json").read_text(encoding="utf-8"))
    fields = expected.get("fields", DEFAULT_FIELDS)

    events, skipped = parse_cdr_text(cdr_file.read_bytes(), fields=fields)

    assert [event_as_dict(event) for event in events] == expected["events"]
    assert dict(skipped) == expected["skipped"]


def test_shared_sample_cdr_log_parses_every_line() -> None:
    text = (SAMPLES / "cdr.log").read_text(encoding="utf-8")

    events, skipped = parse_cdr_text(text)

    assert len(events) == len(text.splitlines())
    assert not skipped


def test_shared_sample_records_match_the_expected_calls() -> None:
    calls = json.loads((SAMPLES / "expected_calls.json").read_text(encoding="utf-8"))["calls"]
    ended_at = {call["pbx_call_id"]: datetime.fromisoformat(call["ended_at"]) for call in calls}

    events, _ = parse_cdr_text((SAMPLES / "cdr.log").read_bytes())

    assert {event.pbx_call_id for event in events} <= set(ended_at)
    for event in events:
        assert event.occurred_at == ended_at[event.pbx_call_id]


def test_sample_record_takes_call_number_from_the_history_id() -> None:
    line = (SAMPLES / "cdr.log").read_text(encoding="utf-8").splitlines()[0]
    assert line.startswith("Call 877,000000000069f8c3_877,")

    event = parse_cdr_line(line)

    assert event.pbx_call_id == "877"
    assert event.data["history_id"] == "877"


def test_real_v20_line_parses_with_its_non_ascii_name() -> None:
    event = parse_cdr_line(V20_LINE.encode("utf-8"))

    assert event.data["final_dispname"] == "Måns Last name Last Name"
    assert event.data["chain"] == ["070XXXXXXX", "Ext.80002", "Ext.10013"]
    assert event.data["duration"] == 8 * 60 + 10
    assert event.data["time_answered"] == "2024-04-30T06:27:36+00:00"
    assert event.occurred_at == datetime(2024, 4, 30, 6, 35, 46, tzinfo=timezone.utc)


def test_call_number_comes_from_callid_suffix_when_history_id_differs() -> None:
    # v20's historyid is a history counter; the callid suffix is the Call(C:N) of the logs.
    event = parse_cdr_line(V20_LINE)

    assert event.pbx_call_id == "3456"
    assert event.data["history_id"] == "265500"
    assert event.data["call_id"] == "89d3af2d8f010000_3456"


def test_trailing_comma_is_optional() -> None:
    # The sample ends each record with an extra comma (28 cells); the real v20 line's last
    # comma only opens an empty missed-queue-calls (27 cells). Both must read the same.
    sample_line = (SAMPLES / "cdr.log").read_text(encoding="utf-8").splitlines()[0]
    assert sample_line.endswith(",,")

    trimmed = parse_cdr_line(sample_line.removesuffix(","))

    assert trimmed.data == parse_cdr_line(sample_line).data


def test_quoted_field_keeps_its_comma() -> None:
    line = V20_LINE.replace(",Partnersupport,", ',"Support, Partners",')

    assert parse_cdr_line(line).data["to_dispname"] == "Support, Partners"


def test_custom_field_order_maps_each_value_to_its_name() -> None:
    fields = ["time-end", "from-no", "historyid", "missed-queue-calls"]

    event = parse_cdr_line("2025/03/01 09:20:05,0438045630,Call 12,106;107;,", fields=fields)

    assert event.data == {
        "time_end": "2025-03-01T09:20:05+00:00",
        "from_no": "0438045630",
        "history_id": "12",
        "missed_queue_calls": ["106", "107"],
    }
    assert event.pbx_call_id == "12"


def test_wrong_field_count_says_how_many() -> None:
    with pytest.raises(CdrError, match="got 3, expected 27") as error:
        parse_cdr_line("Call 1,abc_1,00:00:01")
    assert error.value.code == "field_count"


def test_bad_time_names_the_field() -> None:
    line = V20_LINE.replace("2024/04/30 06:27:28", "30.04.2024 06:27")

    with pytest.raises(CdrError, match="field 'time-start'"):
        parse_cdr_line(line)


def test_bad_duration_names_the_field() -> None:
    with pytest.raises(CdrError, match="field 'duration'"):
        parse_cdr_line(V20_LINE.replace("00:08:10", "8m10s"))


def test_record_without_any_time_is_refused() -> None:
    with pytest.raises(CdrError, match="no time"):
        parse_cdr_line("Call 5,Busy", fields=["historyid", "reason-terminated"])


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    line = V20_LINE.encode("utf-8").replace("Måns".encode("utf-8"), b"M\xe5ns")

    assert parse_cdr_line(line).data["final_dispname"] == "M\ufffdns Last name Last Name"


def test_dedupe_key_is_stable_and_differs_between_records() -> None:
    first, second = (SAMPLES / "cdr.log").read_text(encoding="utf-8").splitlines()[:2]

    assert parse_cdr_line(first).dedupe_key == parse_cdr_line(first + "\r\n").dedupe_key
    assert parse_cdr_line(first).dedupe_key != parse_cdr_line(second).dedupe_key


def test_blank_lines_are_skipped_silently() -> None:
    events, skipped = parse_cdr_text(f"\n{V20_LINE}\r\n\r\n")

    assert len(events) == 1
    assert not skipped


def test_validate_fields_names_the_unknown_field() -> None:
    with pytest.raises(CdrError, match="unknown CDR field 'time-begin'"):
        validate_fields(["historyid", "time-begin"])


@pytest.mark.parametrize(
    "fields, message",
    [
        ([], "empty"),
        (["chain", "chain"], "'chain' is listed twice"),
        ("historyid", "not one string"),
    ],
)
def test_validate_fields_rejects_bad_lists(fields, message: str) -> None:
    with pytest.raises(CdrError, match=message):
        validate_fields(fields)


def test_parse_cdr_text_raises_on_bad_field_config_instead_of_counting() -> None:
    with pytest.raises(CdrError, match="unknown CDR field"):
        parse_cdr_text(V20_LINE, fields=["nope"])


@given(st.binary())
def test_arbitrary_bytes_raise_only_cdr_error(data: bytes) -> None:
    try:
        parse_cdr_line(data)
    except CdrError:
        pass
    parse_cdr_text(data)


@given(st.lists(st.text(), min_size=27, max_size=28))
def test_arbitrary_cells_raise_only_cdr_error(cells: list[str]) -> None:
    line = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    try:
        event = parse_cdr_line(line)
    except CdrError:
        return
    assert event.occurred_at.tzinfo is not None


@given(st.sampled_from(V20_LINE.split(",")), st.text())
def test_any_single_field_mangled_raises_only_cdr_error(original: str, replacement: str) -> None:
    try:
        parse_cdr_line(V20_LINE.replace(original, replacement, 1))
    except CdrError:
        pass


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters='",\r\n\x00')), min_size=27, max_size=27))
def test_unquoted_line_reads_as_its_quoted_form(cells: list[str]) -> None:
    # A line with no quotes or breaks is split on commas without csv.reader: same cells.
    def outcome(line: str):
        try:
            return parse_cdr_line(line).data
        except CdrError as error:
            return error.code

    assert outcome(",".join(cells)) == outcome(",".join('"' + cell + '"' for cell in cells))


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), st.booleans())
def test_time_field_reads_as_strptime_would(moment: datetime, padded: bool) -> None:
    moment = moment.replace(microsecond=0)
    text = (f"{moment.year:04d}/{moment:%m/%d %H:%M:%S}" if padded else
            f"{moment.year:04d}/{moment.month}/{moment.day} {moment.hour}:{moment.minute}:{moment.second}")
    event = parse_cdr_line(f"Call 1,{text}", fields=["historyid", "time-end"])
    assert event.occurred_at == datetime.strptime(text, "%Y/%m/%d %H:%M:%S").replace(tzinfo=timezone.utc)
    # The data's text is the time's isoformat(), whichever way it was read.
    assert event.data["time_end"] == event.occurred_at.isoformat()
