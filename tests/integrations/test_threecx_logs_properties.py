"""Properties over arbitrary input: never raises, chunking never changes the outcome."""
from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import RecordReader, parse_text

TZ = timezone(timedelta(hours=11))
ENVELOPE = b"2025/03/01 08:00:17.643|0017|Info| "
# Fragments that steer random input towards the interesting paths (envelopes, tags, quotes).
PIECES = st.sampled_from([
    ENVELOPE, b"2024/04/30 08:44:46.173|1802315|0041|Trac|", b"[CallFlow] ", b"[QueueManager] ",
    b"Call(C:435): ", b"Ringing Ext.108 ", b'"', b"\n", b"\r\n", b"\xff", b"\xc3", b"Queue 822: ",
    b"QCID=2603 DTMF ", b"2025/13/45 99:99:99.999|0|X|", b"Agent 1: status dial=1 dialable=",
])
LOGLIKE = st.lists(st.one_of(PIECES, st.binary(max_size=12)), max_size=40).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.binary(max_size=2000), LOGLIKE), source=st.sampled_from(
    [Source.CALLFLOW, Source.QUEUEMANAGER]))
def test_arbitrary_bytes_never_raise(data, source):
    result = parse_text(data, tz=TZ, source=source)

    assert result.records == len(result.events) + sum(result.skipped.values())
    assert result.lines >= result.records


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=500))
def test_arbitrary_text_never_raises(text):
    parse_text(text, tz=TZ, source=Source.CALLFLOW)


@settings(max_examples=200, deadline=None)
@given(data=LOGLIKE, cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=8))
def test_chunking_never_changes_the_records(data, cuts):
    whole = RecordReader()
    expected = whole.feed(data) + whole.flush()

    chunked = RecordReader()
    records, pos = [], 0
    for cut in sorted({c for c in cuts if c <= len(data)}) + [len(data)]:
        records += chunked.feed(data[pos:cut], pos)
        assert chunked.resume_offset <= chunked.fed_offset
        pos = cut
    assert records + chunked.flush() == expected


@settings(max_examples=200, deadline=None)
@given(data=LOGLIKE)
def test_records_tile_the_input_without_gaps(data):
    reader = RecordReader()
    records = reader.feed(data) + reader.flush()

    assert [r.start for r in records] == [0, *(r.end for r in records)][: len(records)]
    assert (records[-1].end if records else 0) == len(data)
