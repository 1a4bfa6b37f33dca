"""The simulator's file side: batch writing, the live writer, rotation, click-to-call."""
from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integrations.simulator import (ROTATED_KEEP, STREAM_FILES, generate, place_call, run_live,
                                    wait_for_call, write_batch)

MELBOURNE = ZoneInfo("Australia/Melbourne")


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def live(tmp_path):
    """Start run_live in a thread; always stopped and joined at teardown."""
    started = []

    def start(**kwargs):
        stop = threading.Event()
        result = {}
        options = {"out_dir": tmp_path, "tz": MELBOURNE, "stop_event": stop, "seed": 1, **kwargs}
        thread = threading.Thread(target=lambda: result.setdefault("n", run_live(**options)))
        thread.start()
        started.append((stop, thread))
        return stop, thread, result

    yield start
    for stop, thread in started:
        stop.set()
        thread.join(timeout=5)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def test_write_batch_writes_each_stream_to_its_3cx_file(tmp_path):
    lines = list(generate(start=datetime(2025, 3, 1, 8, tzinfo=MELBOURNE), n_calls=30, seed=2))
    counts = write_batch(tmp_path, lines)

    for stream, name in STREAM_FILES.items():
        expected = "".join(line.text + "\n" for line in lines if line.stream == stream)
        assert (tmp_path / name).read_text(encoding="utf-8") == expected
        assert counts[stream] == sum(1 for line in lines if line.stream == stream)


def test_write_batch_rotates_at_the_threshold(tmp_path):
    lines = generate(start=datetime(2025, 3, 1, 8, tzinfo=MELBOURNE), n_calls=200, seed=2)
    write_batch(tmp_path, lines, rotate_bytes=4000)

    rotated = sorted(tmp_path.glob("3CXCallFlow.log.*"))
    assert [p.name for p in rotated] == [f"3CXCallFlow.log.{i}" for i in range(1, ROTATED_KEEP + 1)]
    for path in [tmp_path / "3CXCallFlow.log", *rotated]:
        assert 0 < path.stat().st_size <= 4000


def test_live_writer_files_grow_while_it_runs(tmp_path, live):
    stop, thread, _ = live(calls_per_minute=120, speed=30)
    flow = tmp_path / "3CXCallFlow.log"
    assert _wait_until(lambda: _size(flow) > 0)
    first = _size(flow)
    assert _wait_until(lambda: _size(flow) > first)
    assert _wait_until(lambda: _size(tmp_path / "cdr.log") > 0)


def test_live_writer_stops_when_the_event_is_set(tmp_path, live):
    stop, thread, result = live(calls_per_minute=120, speed=30)
    assert _wait_until(lambda: _size(tmp_path / "3CXCallFlow.log") > 0)
    stop.set()
    thread.join(timeout=3)

    assert not thread.is_alive()
    assert result["n"] > 0
    size = _size(tmp_path / "3CXCallFlow.log")
    time.sleep(0.5)
    assert _size(tmp_path / "3CXCallFlow.log") == size


def test_live_writer_rotates_when_a_file_passes_rotate_bytes(tmp_path, live):
    live(calls_per_minute=300, speed=60, rotate_bytes=3000)
    assert _wait_until(lambda: (tmp_path / "3CXCallFlow.log.1").exists())
    assert (tmp_path / "3CXCallFlow.log.1").stat().st_size <= 3000
    assert _size(tmp_path / "3CXCallFlow.log") <= 3000


def test_place_call_makes_the_outbound_call_appear_in_the_log(tmp_path, live):
    inbox = tmp_path / "inbox"
    # Almost no random traffic, so the click-to-call is what shows up.
    live(calls_per_minute=0.001, speed=10, click_to_call_inbox=inbox)
    request_id = place_call(inbox, user="105", number="61399998888")
    pbx_call_id = wait_for_call(inbox, request_id, timeout=5)

    flow = tmp_path / "3CXCallFlow.log"
    prefix = f"[CallFlow] Call(C:{pbx_call_id}): "
    want = [f'{prefix}Ringing Ext.105 "Olivia O\'Brien"',
            f'{prefix}Outgoing call from Ext.105 "Olivia O\'Brien" to 61399998888 via Line:',
            f"{prefix}Answered by 61399998888"]
    assert _wait_until(lambda: all(w in flow.read_text(encoding="utf-8") for w in want))
    text = flow.read_text(encoding="utf-8")
    assert [text.index(w) for w in want] == sorted(text.index(w) for w in want)


def test_place_call_uses_the_trunk_of_a_caller_id_did(tmp_path, live):
    inbox = tmp_path / "inbox"
    live(calls_per_minute=0.001, speed=10, click_to_call_inbox=inbox)
    pbx_call_id = wait_for_call(inbox, place_call(inbox, user="101", number="0400111222",
                                                  caller_id="61398765432"), timeout=5)
    flow = tmp_path / "3CXCallFlow.log"
    assert _wait_until(lambda: f'Call(C:{pbx_call_id}): Outgoing call from Ext.101 "Ann Walker" '
                               f'to 0400111222 via Line:10002 "Acme SIP"'
                       in flow.read_text(encoding="utf-8"))


def test_place_call_for_an_unknown_user_is_answered_with_an_error(tmp_path, live):
    inbox = tmp_path / "inbox"
    live(calls_per_minute=0.001, speed=10, click_to_call_inbox=inbox)
    with pytest.raises(ValueError, match="unknown user"):
        wait_for_call(inbox, place_call(inbox, user="999", number="61399998888"), timeout=5)


def test_place_call_rejects_a_number_that_cannot_be_dialled(tmp_path):
    with pytest.raises(ValueError):
        place_call(tmp_path, user="101", number="call me")
