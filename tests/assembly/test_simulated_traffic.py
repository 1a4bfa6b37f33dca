"""The hub assembles any traffic in the 3CX dialect, not just the shared sample.

The simulator (integrations/simulator) writes the three streams of thousands of overlapping
calls and, per call, the row expected_calls.json would hold for it (same conventions as the
sample: times are the earliest line showing the fact, truncated to seconds in PBX local
time; durations are floor(exact difference)). Here the whole stream goes through the real
parsers, ``group_calls`` and ``assemble_call``, and every call must equal its expected row.

Not covered: the hour a DST change repeats (e.g. Melbourne 2025-04-06 02:00-03:00). Its
log lines carry no offset, so a line there is ambiguous and the log parser reads it as
the first pass; that is the parser's limit, not the assembly's.
"""
from __future__ import annotations

from datetime import datetime
from random import Random
from zoneinfo import ZoneInfo

import pytest

from hub.assembly import assemble_call, group_calls
from hub.vocabulary.pbx_event import Source
from integrations.simulator import DEFAULT_DIRECTORY, generate, generate_calls

threecx_logs = pytest.importorskip("integrations.threecx_logs")
threecx_cdr = pytest.importorskip("integrations.threecx_cdr")

MELBOURNE = ZoneInfo("Australia/Melbourne")
NEW_YORK = ZoneInfo("America/New_York")

RUNS = {
    # A working day of office traffic: ~3000 calls, every scenario many times over.
    "office_day": dict(start=datetime(2025, 3, 1, 8, 0, 17, tzinfo=MELBOURNE), n_calls=3000, seed=1),
    # Calls that span the spring-forward gap (02:00 -> 03:00): durations are real time.
    "dst_spring_forward": dict(start=datetime(2025, 10, 5, 0, 30, tzinfo=MELBOURNE), n_calls=1000,
                               calls_per_minute=4.0, seed=12),
    # Another zone, a negative offset, busier traffic (more overlap between calls).
    "new_york_busy": dict(start=datetime(2025, 7, 1, 9, 0, tzinfo=NEW_YORK), n_calls=1500,
                          calls_per_minute=20.0, seed=3),
}


def _parse(lines, tz) -> list:
    lines = list(lines)
    text = {stream: "".join(line.text + "\n" for line in lines if line.stream == stream)
            for stream in ("callflow", "queuemanager", "cdr")}
    events = threecx_logs.parse_text(text["callflow"], tz=tz, source=Source.CALLFLOW).events
    events += threecx_logs.parse_text(text["queuemanager"], tz=tz, source=Source.QUEUEMANAGER).events
    return events + threecx_cdr.parse_cdr_text(text["cdr"])[0]


def _differences(got, want, path="") -> list[str]:
    if isinstance(got, dict) and isinstance(want, dict):
        return [d for key in sorted(set(got) | set(want), key=str)
                for d in _differences(got.get(key, "<absent>"), want.get(key, "<absent>"), f"{path}.{key}")]
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in _differences(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: hub {got!r} != simulator {want!r}"]


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request):
    kwargs = RUNS[request.param]
    tz = kwargs["start"].tzinfo
    calls, loose = group_calls(_parse(generate(**kwargs), tz))
    expected = {call.unique_call_id: call for call in generate_calls(**kwargs)}
    return tz, calls, loose, expected


def test_every_simulated_call_assembles_to_its_expected_row(run):
    tz, calls, _, expected = run
    assembled = {}
    for events in calls:
        record = assemble_call(events, tz=tz).to_dict()
        assembled[record["unique_call_id"]] = record
    assert sorted(assembled) == sorted(expected)
    problems = {}
    for uid, sim in expected.items():
        diffs = _differences(assembled[uid], sim.expected)
        if diffs:
            problems[f"{uid} ({sim.scenario})"] = diffs
    assert not problems, f"{len(problems)} of {len(expected)} calls differ, e.g. {list(problems.items())[:5]}"


def test_only_agent_status_lines_belong_to_no_call(run):
    _, _, loose, _ = run
    assert {e.kind.value for e in loose} <= {"agent.status"}


def test_each_call_is_the_same_whatever_order_its_events_arrive_in(run):
    tz, calls, _, _ = run
    rng = Random(5)
    for events in rng.sample(calls, min(300, len(calls))):
        shuffled = list(events)
        rng.shuffle(shuffled)
        repeated = shuffled + shuffled[: len(shuffled) // 3]  # some lines delivered twice
        assert assemble_call(repeated, tz=tz).to_dict() == assemble_call(events, tz=tz).to_dict()


def test_click_to_call_assembles_to_its_expected_row():
    """The live writer's click-to-call: the user's phone rings before the Outgoing line."""
    from integrations.simulator.clock import Clock, epoch_ms
    from integrations.simulator.engine import Engine
    from integrations.simulator.expected import expected_call
    from integrations.simulator.merge import render

    clock = Clock(MELBOURNE)
    engine = Engine(clock=clock, rng=Random(8), directory=DEFAULT_DIRECTORY)
    t0 = epoch_ms(datetime(2025, 3, 1, 9, tzinfo=MELBOURNE))
    for i, user in enumerate(sorted(DEFAULT_DIRECTORY.users)):
        trunk = DEFAULT_DIRECTORY.trunks[i % 2]
        rec = engine.click_call(t0 + i * 600_000, ext=user, number=f"6139876{i:04d}", trunk=trunk)
        [events], _ = group_calls(_parse([render(clock, raw) for raw in rec.lines], MELBOURNE))
        call = assemble_call(events, tz=MELBOURNE)
        assert call.to_dict() == expected_call(rec)
        # Its start is the ring (formats.md §8: the first CallFlow line); the user placed
        # the call, so theirs is the one originator row (no rang_at), not a missed ring too.
        assert [(u.user, u.rang_at, u.status) for u in call.users] == [(user, None, "answered")]
