"""Interleaves the lines of overlapping calls into one time-ordered stream."""
from __future__ import annotations

import heapq
from datetime import datetime
from typing import Iterator, NamedTuple

from .clock import Clock
from .record import CallRecord


class SimLine(NamedTuple):
    at: datetime
    stream: str  # "callflow" | "queuemanager" | "cdr"
    text: str  # the whole record as written, without the trailing newline


def render(clock: Clock, raw: tuple) -> SimLine:
    ms, (stream, thread, level), body = raw
    if not thread:
        return SimLine(clock.at(ms), stream, body)
    return SimLine(clock.at(ms), stream, f"{clock.stamp(ms)}|{thread}|{level}| {body}")


class Merger:
    """A heap of calls keyed by each call's next unsent line.

    Safe to pop up to time T once every call starting before T has been pushed: a call's
    lines never precede its first line.
    """

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list = []
        self._order = 0

    def push(self, rec: CallRecord) -> None:
        lines = rec.lines
        if lines:
            heapq.heappush(self._heap, (lines[0][0], self._order, 0, lines))
            self._order += 1

    def next_ms(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    def pop_before(self, limit_ms: float) -> Iterator[SimLine]:
        heap, clock = self._heap, self.clock
        while heap and heap[0][0] < limit_ms:
            _, order, index, lines = heap[0]
            yield render(clock, lines[index])
            index += 1
            if index < len(lines):
                heapq.heapreplace(heap, (lines[index][0], order, index, lines))
            else:
                heapq.heappop(heap)

    def drain(self) -> Iterator[SimLine]:
        return self.pop_before(float("inf"))
