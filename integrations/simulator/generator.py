"""Public generation API: time-ordered log/CDR lines and the calls they should assemble into."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Iterator

from .clock import Clock, epoch_ms
from .directory import DEFAULT_DIRECTORY, Directory
from .engine import Engine
from .expected import expected_call
from .merge import Merger, SimLine, render
from .record import CallRecord
from .scenarios import Scenario


@dataclass(frozen=True)
class SimCall:
    pbx_call_id: str
    unique_call_id: str
    scenario: str
    lines: list[SimLine]  # this call's lines (CDR included) in time order
    expected: dict  # shaped like one entry of samples/3cx/expected_calls.json


def _records(*, start: datetime, duration: timedelta | None, n_calls: int | None,
             calls_per_minute: float, seed: int | None, directory: Directory,
             scenarios: dict[str, tuple[float, Scenario]] | None,
             ) -> tuple[Clock, Iterator[CallRecord]]:
    if duration is None and n_calls is None:
        raise ValueError("give duration or n_calls")
    start_ms = epoch_ms(start)
    clock = Clock(start.tzinfo)
    engine = Engine(clock=clock, rng=Random(seed), directory=directory, scenarios=scenarios)
    end_ms = None if duration is None else start_ms + int(duration.total_seconds() * 1000)
    times = engine.arrivals(start_ms, calls_per_minute, end_ms, n_calls)
    return clock, (engine.random_call(t0) for t0 in times)


def generate(*, start: datetime, duration: timedelta | None = None, n_calls: int | None = None,
             calls_per_minute: float = 6.0, seed: int | None = None,
             directory: Directory = DEFAULT_DIRECTORY,
             scenarios: dict[str, tuple[float, Scenario]] | None = None) -> Iterator[SimLine]:
    """All lines of the simulated traffic, merged across calls in time order.

    Calls *start* within `duration` (or `n_calls` calls start); every call runs to its end,
    so the last lines can be later than start + duration. Same arguments and seed give the
    same lines.
    """
    clock, records = _records(start=start, duration=duration, n_calls=n_calls,
                              calls_per_minute=calls_per_minute, seed=seed,
                              directory=directory, scenarios=scenarios)
    merger = Merger(clock)
    for rec in records:
        yield from merger.pop_before(rec.lines[0][0])
        merger.push(rec)
    yield from merger.drain()


def generate_calls(*, start: datetime, duration: timedelta | None = None,
                   n_calls: int | None = None, calls_per_minute: float = 6.0,
                   seed: int | None = None, directory: Directory = DEFAULT_DIRECTORY,
                   scenarios: dict[str, tuple[float, Scenario]] | None = None,
                   ) -> Iterator[SimCall]:
    """The same traffic as `generate` with the same arguments, one call at a time
    (in start order), each with its expected call-history row."""
    clock, records = _records(start=start, duration=duration, n_calls=n_calls,
                              calls_per_minute=calls_per_minute, seed=seed,
                              directory=directory, scenarios=scenarios)
    for rec in records:
        yield SimCall(rec.pbx_call_id, rec.unique_call_id, rec.scenario,
                      [render(clock, raw) for raw in rec.lines], expected_call(rec))


def expected_calls(**kwargs) -> list[dict]:
    """Expected rows for `generate(**kwargs)`, like samples/3cx/expected_calls.json's `calls`."""
    return [call.expected for call in generate_calls(**kwargs)]
