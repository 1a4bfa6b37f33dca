"""parse_text / parse_record / detect_source behaviour beyond the per-kind fixtures."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hub.vocabulary.pbx_event import Kind, Source
from integrations.threecx_logs import (
    Record,
    Skip,
    detect_source,
    load_rules,
    parse_record,
    parse_text,
)

MELBOURNE = ZoneInfo("Australia/Melbourne")
TERMINATED = "2025/03/01 09:14:22.101|0017|Info| [CallFlow] Call(C:435): Terminated; reason=Busy\n"


def parse(text: str | bytes, source: Source = Source.CALLFLOW, tz=MELBOURNE):
    return parse_text(text, tz=tz, source=source)


def test_unknown_line_type_is_counted_as_unrecognised():
    result = parse(
        "2025/03/01 09:14:22.101|0017|Info| [CallFlow] Call(C:435): Parked on orbit 7\n"
        "2025/03/01 09:14:23.101|0017|Info| [Mystery] something new\n"
        "2025/03/01 09:14:24.101|0017|Info| no module tag at all\n"
    )

    assert result.events == []
    assert result.skipped == {"unrecognised": 3}
    assert (result.lines, result.records) == (3, 3)


def test_known_shape_with_extra_wording_is_not_half_parsed():
    result = parse(TERMINATED.replace("Busy", "Busy (after 3 tries)").replace(
        "Terminated;", "Terminated early;"))

    assert result.skipped == {"unrecognised": 1}


def test_noise_is_skipped_quietly_and_counted_by_name():
    noise = "2025/03/01 08:00:17.525|0017|Trac| [_3CX.ScriptRunner] CallStorageSize=0(8)\n"

    result = parse(noise * 3 + TERMINATED)

    assert len(result.events) == 1
    assert result.skipped == {"noise:CallStorageSize": 3}


def test_continuation_lines_belong_to_the_record_and_do_not_count_as_records():
    dump = (
        "2025/03/01 08:02:23.936|003E|Info| [VCEHostPlugIn] Statistics\n"
        "    - Ag.110 Dial:110 Logged-IN Calls:18\n"
        "    =Total: 20 requests / 0 active\n"
    )

    result = parse(dump + TERMINATED)

    assert (result.lines, result.records) == (4, 2)
    assert result.skipped == {"noise:Statistics": 1}
    assert result.events[0].raw == TERMINATED.rstrip("\n")


def test_event_line_followed_by_a_continuation_is_not_recognised():
    result = parse(TERMINATED + "    stray continuation\n")

    # An event line never has continuations; if one appears, the format changed: say so.
    assert result.skipped == {"unrecognised": 1}


def test_invalid_utf8_in_a_name_is_replaced():
    line = (
        b'2025/03/01 09:14:22.101|0017|Info| [CallFlow] Call(C:435): Ringing Ext.108 "M\xe4ry"\n'
    )

    [event] = parse(line).events

    assert event.data == {"user": "108", "user_name": "M\ufffdry"}


def test_times_are_aware_in_the_pbx_zone():
    [event] = parse(TERMINATED).events

    assert event.occurred_at == datetime(2025, 3, 1, 9, 14, 22, 101000, tzinfo=MELBOURNE)
    assert event.occurred_at.utcoffset() == timedelta(hours=11)


def test_fixed_offset_zone_is_accepted():
    [event] = parse(TERMINATED, tz=timezone(timedelta(hours=-5))).events

    assert event.occurred_at.isoformat() == "2025-03-01T09:14:22.101000-05:00"


def test_impossible_timestamp_is_skipped():
    result = parse(TERMINATED.replace("2025/03/01", "2025/13/01"))

    assert result.skipped == {"bad_timestamp": 1}


def test_lines_of_one_second_keep_their_own_milliseconds_and_zone(monkeypatch):
    from integrations.threecx_logs import envelope

    monkeypatch.setattr(envelope, "_SECONDS_REMEMBERED", 2)
    monkeypatch.setattr(envelope, "_seconds", {})
    times = [f"2025/03/01 09:14:{second:02}.{millis:03}" for second in (22, 23, 24, 22) for millis in (101, 7, 999)]
    text = "".join(TERMINATED.replace("2025/03/01 09:14:22.101", t) for t in times)
    for tz in (MELBOURNE, timezone(timedelta(hours=-5))):
        assert [e.occurred_at for e in parse(text, tz=tz).events] == \
            [datetime.strptime(t, "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=tz) for t in times]
    assert len(envelope._seconds) <= 2


def test_dedupe_key_is_the_record_timestamp_then_the_sha256_of_source_and_record_text():
    [event] = parse(TERMINATED, Source.QUEUEMANAGER).events

    digest = hashlib.sha256(f"queuemanager\n{TERMINATED.rstrip()}".encode()).hexdigest()
    assert event.dedupe_key == TERMINATED[:23] + digest
    assert TERMINATED[:23] == event.raw[:23] == event.raw.split("|")[0]  # the time leads, as in the migration


def test_orphan_continuation_at_start_of_input_is_skipped():
    result = parse("    - Ag.110 Dial:110 Logged-IN Calls:18\n" + TERMINATED)

    assert result.skipped == {"no_envelope": 1}
    assert len(result.events) == 1


def test_dedupe_key_is_stable_and_depends_on_source_and_text():
    once = parse(TERMINATED).events[0].dedupe_key

    assert parse(TERMINATED).events[0].dedupe_key == once
    assert parse(TERMINATED, Source.QUEUEMANAGER).events[0].dedupe_key != once
    assert parse(TERMINATED.replace("101", "102")).events[0].dedupe_key != once


def test_reimporting_the_same_lines_yields_the_same_keys():
    text = TERMINATED * 2 + TERMINATED.replace("Busy", "Failed")

    keys = {e.dedupe_key for e in parse(text).events}

    assert len(keys) == 2


def test_text_and_bytes_input_parse_alike():
    assert parse(TERMINATED) == parse(TERMINATED.encode())


def test_last_line_without_newline_is_parsed_by_parse_text():
    assert len(parse(TERMINATED.rstrip("\n")).events) == 1


def test_parse_record_returns_skip_for_noise():
    record = Record("2025/03/01 08:01:44.313|003E|Trac| [OmCallsManager] number of calls: 7", 0, 60)

    outcome = parse_record(record, tz=MELBOURNE, source=Source.QUEUEMANAGER, rules=load_rules())

    assert outcome == Skip("noise:NumberOfCalls")


def test_parse_record_returns_event_with_raw_text():
    record = Record(TERMINATED.rstrip("\n"), 0, len(TERMINATED))

    event = parse_record(record, tz=MELBOURNE, source=Source.CALLFLOW, rules=load_rules())

    assert (event.kind, event.pbx_call_id, event.raw) == (Kind.CALL_TERMINATED, "435", record.text)


def test_queue_lines_after_call_received_have_no_call_id():
    text = (
        '2025/03/01 08:00:17.813|003E|Info| [QueueManager] Queue 822 "Sales": call received '
        'QCID=2340 Call(C:874) from 0393166101 ""\n'
        "2025/03/01 08:00:24.416|003E|Info| [QueueManager] Queue 822: QCID=2340 ringing agent 103\n"
    )

    received, ringing = parse(text, Source.QUEUEMANAGER).events

    assert (received.pbx_call_id, ringing.pbx_call_id) == ("874", None)


@pytest.mark.parametrize(
    ("filename", "first_bytes", "expected"),
    [
        ("3CXCallFlow.log", b"", Source.CALLFLOW),
        ("/var/lib/3cxpbx/Instance1/Data/Logs/3CXQueueManager.log", b"", Source.QUEUEMANAGER),
        ("3cxcallflow_20250301.log", b"", Source.CALLFLOW),
        (r"C:\ProgramData\3CX\Instance1\Data\Logs\3CXQueueManager.log.1", b"", Source.QUEUEMANAGER),
        ("upload.log", TERMINATED.encode(), Source.CALLFLOW),
        ("upload.log", b"x [QueueManager] y [CallFlow]", Source.QUEUEMANAGER),
        (None, b"noise [_3CX.ScriptRunner] then [CallFlow] z", Source.CALLFLOW),
        ("3cxSystemService.log", b"CHR: Invoking OnCallEnded event", None),
        (None, b"", None),
    ],
)
def test_detect_source(filename, first_bytes, expected):
    assert detect_source(filename, first_bytes) is expected
