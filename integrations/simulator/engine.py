"""Builds finished calls one at a time: numbering, arrivals, scenario choice, CDR, noise."""
from __future__ import annotations

from itertools import accumulate
from random import Random
from typing import Iterator

from .cdr import cdr_line
from .clock import Clock
from .directory import Directory, Trunk
from .noise import add_ambient
from .record import CDR_RECORD, CallRecord
from .scenarios import SCENARIOS, Scenario, click_to_call


class Numbering:
    """Call numbers and QCIDs only go up, with small gaps like the sample (other
    services on a real PBX consume numbers from the same counters)."""

    def __init__(self, rng: Random, first_call: int = 874, first_qcid: int = 2340):
        self.rng, self.call, self.qcid = rng, first_call, first_qcid
        self._fresh = True

    def next_call(self) -> int:
        if self._fresh:
            self._fresh = False
            return self.call
        self.call += self.rng.randint(1, 3)
        return self.call

    def next_qcid(self) -> str:
        self.qcid += self.rng.randint(1, 3)
        return str(self.qcid)


class Engine:
    def __init__(self, *, clock: Clock, rng: Random, directory: Directory,
                 scenarios: dict[str, tuple[float, Scenario]] | None = None,
                 first_call: int = 874, first_qcid: int = 2340):
        self.clock, self.rng, self.directory = clock, rng, directory
        self.numbering = Numbering(rng, first_call, first_qcid)
        table = scenarios if scenarios is not None else SCENARIOS
        self._names = list(table)
        self._fns = [fn for _, fn in table.values()]
        self._cum = list(accumulate(weight for weight, _ in table.values()))

    def _record(self, scenario: str, t0: int) -> CallRecord:
        return CallRecord(self.numbering.next_call(), scenario, self.clock, self.rng,
                          self.directory, t0)

    def _finish(self, rec: CallRecord) -> CallRecord:
        add_ambient(rec)
        # 3CX writes the CDR once the call is over, a moment after CallFlow's Terminated.
        rec.emit(CDR_RECORD, cdr_line(rec), rec.end_ms + self.rng.randint(30, 900))
        rec.lines.sort(key=_when)
        return rec

    def random_call(self, t0: int) -> CallRecord:
        index = self.rng.choices(range(len(self._fns)), cum_weights=self._cum)[0]
        rec = self._record(self._names[index], t0)
        self._fns[index](rec, self.numbering)
        return self._finish(rec)

    def click_call(self, t0: int, *, ext: str, number: str, trunk: Trunk) -> CallRecord:
        rec = self._record("click_to_call", t0)
        click_to_call(rec, ext=ext, number=number, trunk=trunk)
        return self._finish(rec)

    def arrivals(self, start_ms: int, calls_per_minute: float,
                 end_ms: int | None = None, n_calls: int | None = None) -> Iterator[int]:
        """Poisson arrival times (epoch ms) from start_ms, bounded by end_ms and/or n_calls."""
        if calls_per_minute <= 0:
            raise ValueError("calls_per_minute must be positive")
        rate, t, count = calls_per_minute / 60_000.0, float(start_ms), 0
        while (n_calls is None or count < n_calls) and (end_ms is None or t < end_ms):
            yield int(t)
            count += 1
            t += self.rng.expovariate(rate)


def _when(line: tuple) -> int:
    return line[0]
