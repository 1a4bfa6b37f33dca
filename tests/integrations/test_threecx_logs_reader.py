"""RecordReader: records, continuations, byte offsets and resuming across chunk boundaries."""
from __future__ import annotations

from integrations.threecx_logs import Record, RecordReader

L1 = b"2025/03/01 08:00:17.643|0017|Info| [CallFlow] Call(C:874): Terminated; reason=Busy\n"
L2 = b"2025/03/01 08:02:23.936|003E|Info| [VCEHostPlugIn] Statistics\n"
DUMP = b"    - Ag.110 Dial:110 Logged-IN Calls:18\n    =Total: 20 requests / 0 active\n"
L3 = b"2024/04/30 08:44:46.173|1802315|0041|Trac|CHR: Invoking OnCallEnded event\n"
LOG = L1 + L2 + DUMP + L3


def read_all(data: bytes, chunk: int | None = None) -> list[Record]:
    reader = RecordReader()
    step = chunk or max(len(data), 1)
    records = []
    for pos in range(0, len(data), step):
        records += reader.feed(data[pos : pos + step], pos)
    return records + reader.flush()


def test_lines_without_envelope_continue_the_record_above():
    records = read_all(LOG)

    assert [r.lines for r in records] == [1, 3, 1]
    assert records[1].text == (L2 + DUMP).decode().rstrip("\n")
    assert records[1].text.count("\n") == 2


def test_records_carry_their_byte_offsets():
    records = read_all(LOG)

    assert [(r.start, r.end) for r in records] == [
        (0, len(L1)),
        (len(L1), len(L1 + L2 + DUMP)),
        (len(L1 + L2 + DUMP), len(LOG)),
    ]
    assert all(LOG[r.start : r.end].decode().rstrip("\n") == r.text for r in records)


def test_systemservice_extra_column_starts_a_record():
    assert read_all(L3 + L3)[1].start == len(L3)


def test_record_is_emitted_only_once_the_next_envelope_line_is_complete():
    reader = RecordReader()

    assert reader.feed(L1) == []
    assert reader.feed(L2[:-10]) == []  # could still turn out to be something else
    assert reader.resume_offset == 0
    [record] = reader.feed(L2[-10:])
    assert record.end == len(L1)
    assert reader.resume_offset == len(L1)


def test_continuation_keeps_the_record_open():
    reader = RecordReader()
    reader.feed(L2)

    assert reader.feed(DUMP) == []
    assert reader.resume_offset == 0


def test_partial_last_line_is_not_consumed_until_flush():
    reader = RecordReader()
    assert reader.feed(L1 + L2 + L3[:-1]) != []
    assert reader.resume_offset == len(L1)  # L2 is whole but may still get continuation lines
    assert reader.fed_offset == len(L1 + L2 + L3) - 1

    *_, last = reader.flush()
    assert last.text == L3.decode().rstrip("\n")
    assert reader.resume_offset == reader.fed_offset


def test_close_pending_emits_the_open_record_when_no_line_is_half_written():
    reader = RecordReader()
    reader.feed(L1)

    [record] = reader.close_pending()
    assert record.end == reader.resume_offset == len(L1)
    assert reader.close_pending() == []


def test_close_pending_waits_while_a_line_is_half_written():
    reader = RecordReader()
    reader.feed(L1 + DUMP[:5])

    assert reader.close_pending() == []
    assert reader.resume_offset == 0


def test_byte_by_byte_feeding_equals_one_big_feed():
    assert read_all(LOG, chunk=1) == read_all(LOG)


def test_every_chunk_size_gives_the_same_records():
    whole = read_all(LOG)
    assert all(read_all(LOG, chunk=size) == whole for size in range(1, 40))


def test_resuming_at_resume_offset_loses_and_repeats_nothing():
    whole = read_all(LOG)
    for cut in range(len(LOG) + 1):
        first = RecordReader()
        before = first.feed(LOG[:cut])
        second = RecordReader(first.resume_offset)
        after = second.feed(LOG[first.resume_offset :]) + second.flush()
        assert before + after == whole, cut


def test_chunk_must_continue_where_the_last_one_ended():
    reader = RecordReader(100)
    reader.feed(b"abc", 100)

    try:
        reader.feed(b"def", 200)
    except ValueError as exc:
        assert "expected 103" in str(exc)
    else:
        raise AssertionError("a gap between chunks must be refused")


def test_invalid_utf8_is_replaced_not_fatal():
    [record] = read_all(b"2025/03/01 08:00:17.643|0017|Info| [CallFlow] \xff\xfe name \xc3\n")

    assert record.text.endswith("\ufffd\ufffd name \ufffd")


def test_crlf_line_ends_are_dropped():
    records = read_all(L1.replace(b"\n", b"\r\n") + L2.replace(b"\n", b"\r\n"))

    assert [r.text for r in records] == [L1.decode().strip(), L2.decode().strip()]


def test_leading_continuation_lines_form_their_own_record():
    records = read_all(DUMP + L1)

    assert [r.lines for r in records] == [2, 1]
    assert records[1].start == len(DUMP)


def test_runaway_record_text_is_capped_but_offsets_advance():
    data = L2 + b"x" * 50 + b"\n" + b"y" * 50 + b"\n" + L1
    reader = RecordReader(max_record_bytes=len(L2) + 60)

    dump, _ = reader.feed(data) + reader.flush()

    assert "x" * 50 in dump.text and "y" not in dump.text
    assert dump.end == len(data) - len(L1)
    assert dump.lines == 3


def test_empty_input_gives_no_records():
    assert read_all(b"") == []
    assert RecordReader(42).resume_offset == 42
