"""The block-at-a-time reader and the one-regex envelope split agree with plain line-by-line
references (the way both were first written) on arbitrary input."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.threecx_logs import RecordReader
from integrations.threecx_logs.envelope import ENVELOPE, MESSAGE, MODULE

ENVELOPE_LINE = re.compile(rb"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3}\|(?:\d+\|)?[0-9A-Fa-f]+\|[A-Za-z]+\|")
PIECES = st.sampled_from([
    b"2025/03/01 08:00:17.643|0017|Info| ", b"2024/04/30 08:44:46.173|1802315|0041|Trac|", b"[CallFlow] ",
    b"[Queue\nManager] ", b"]", b"[", b"  ", b"\t", b"\n", b"\r\n", b"\r", b"\xff", b"\xc3\xa9", b"x" * 30,
])
LOGLIKE = st.lists(st.one_of(PIECES, st.binary(max_size=8)), max_size=40).map(b"".join)


def reference_records(data: bytes, max_bytes: int) -> list[tuple[str, int, int, int]]:
    """One line at a time: a line opens a record if it starts with an envelope (or no record is
    open); past ``max_bytes`` a line still counts but its text is left out."""
    records, lines, start, pos = [], [], 0, 0

    def close(end):
        text = b"".join(lines).decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\r\n")
        records.append((text, start, end, count))

    count = size = 0
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1 or len(data)
        line = data[pos:stop]
        if count and ENVELOPE_LINE.match(line):
            close(pos)
            lines, count, size, start = [], 0, 0, pos
        if not count or size + len(line) <= max_bytes:
            lines.append(line)
            size += len(line)
        count += 1
        pos = stop
    if count:
        close(len(data))
    return records


def reference_split(text: str) -> tuple[str, str] | None:
    """Module and message as ``str`` methods find them."""
    found = ENVELOPE_LINE.match(text.encode("utf-8", "surrogatepass"))
    if found is None:
        return None
    rest = text[found.end():].lstrip(" ").rstrip()
    if rest.startswith("["):
        close = rest.find("]")
        if close != -1 and "\n" not in rest[:close]:
            return rest[1:close], rest[close + 1:].lstrip(" ")
    return "", rest


@settings(max_examples=300, deadline=None)
@given(data=LOGLIKE, cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=6),
       max_bytes=st.integers(min_value=1, max_value=200))
def test_reader_matches_the_line_by_line_reference(data, cuts, max_bytes):
    reader = RecordReader(max_record_bytes=max_bytes)
    records, pos = [], 0
    for cut in sorted({c for c in cuts if c <= len(data)}) + [len(data)]:
        records += reader.feed(data[pos:cut], pos)
        pos = cut
    records += reader.flush()

    assert [tuple(r) for r in records] == reference_records(data, max_bytes)


@settings(max_examples=300, deadline=None)
@given(data=LOGLIKE)
def test_envelope_split_matches_the_reference(data):
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\r\n")
    found = ENVELOPE.match(text)

    expected = reference_split(text)
    assert (None if found is None else (found[MODULE] or "", found[MESSAGE].rstrip())) == expected


def test_a_line_that_exactly_fills_the_cap_is_kept():
    head = b"2025/03/01 08:00:17.643|0017|Info| [CallFlow] dump\n"
    reader = RecordReader(max_record_bytes=len(head) + 10)

    [record] = reader.feed(head + b"x" * 9 + b"\n" + b"y\n") + reader.flush()

    assert record.text == (head + b"x" * 9).decode() and record.lines == 3
