"""Incremental record reader over log BYTES, with byte offsets a tailer can persist.

A record is an envelope line plus the lines after it that do not start with an envelope. It is
complete only when the next envelope line arrives or the caller says the input is final
(``flush``), so ``resume_offset`` always points at the first byte whose record has not been
emitted yet: re-reading from there after a restart loses nothing and repeats nothing.
"""
from __future__ import annotations

from typing import NamedTuple

from .envelope import record_starts

DEFAULT_MAX_RECORD_BYTES = 1 << 20


class Record(NamedTuple):
    text: str  # decoded with errors="replace", lines joined with "\n", line ends dropped
    start: int  # absolute offset of the record's first byte
    end: int  # absolute offset just past its last byte (its last newline, if any)
    lines: int = 1


class RecordReader:
    """Finds record starts with one regex search over each chunk's complete lines (not a
    Python step per line), then cuts and decodes one record at a time."""

    def __init__(self, offset: int = 0, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES):
        # Everything fed but not yet emitted: the open record's complete lines, then the bytes
        # after the last newline. So the open record, if any, starts at _buf[0].
        self._buf = b""
        self._buf_start = offset
        self._complete = 0  # bytes of _buf in complete lines (the open record); 0: none open
        self._max = max_record_bytes

    @property
    def resume_offset(self) -> int:
        """Offset of the first byte not yet consumed into an emitted record."""
        return self._buf_start

    @property
    def fed_offset(self) -> int:
        """Offset just past the last byte fed; the next ``feed`` must start here."""
        return self._buf_start + len(self._buf)

    def feed(self, chunk: bytes, base_offset: int | None = None) -> list[Record]:
        if base_offset is not None and base_offset != self.fed_offset:
            raise ValueError(f"chunk starts at {base_offset}, expected {self.fed_offset}")
        self._buf = self._buf + bytes(chunk) if self._buf else bytes(chunk)
        complete = self._buf.rfind(b"\n") + 1
        if complete <= self._complete:
            return []
        return self._cut(complete, final=False)

    def flush(self) -> list[Record]:
        """The input is final: a last line without newline counts, the open record closes."""
        return self._cut(len(self._buf), final=True) if self._buf else []

    def close_pending(self) -> list[Record]:
        """Emit the open record now if no line is half-written (for a tailer whose file went
        quiet): 3CX writes a record with its continuation lines at once, so after a pause the
        last record is complete in practice. A continuation that still arrives later becomes a
        record of its own, which the parser skips as ``no_envelope``."""
        if not self._complete or len(self._buf) > self._complete:
            return []
        return self._cut(self._complete, final=True)

    def _cut(self, complete: int, *, final: bool) -> list[Record]:
        """Emit the records that end before the last record start in ``_buf[:complete]`` (all
        of them if ``final``); the rest stays buffered as the open record."""
        buf = self._buf
        # A record starts at every envelope line, and at the first line whatever it holds.
        # Searching from _complete (a line start) finds only starts in the new lines.
        starts = [0, *(s for s in record_starts(buf, self._complete, complete) if s)]
        if final:
            starts.append(complete)
        base, make = self._buf_start, self._record
        out = [make(buf, start, end, base) for start, end in zip(starts, starts[1:])]
        kept = starts[-1]
        self._buf, self._buf_start, self._complete = buf[kept:], base + kept, complete - kept
        return out

    def _record(self, buf: bytes, start: int, end: int, base: int) -> Record:
        raw = buf[start:end] if end - start <= self._max else _capped(buf, start, end, self._max)
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\r\n")
        # A record's last line may lack its newline only when the input is final.
        lines = buf.count(b"\n", start, end) + (buf[end - 1] != 10)
        return Record(text, base + start, base + end, lines)


def _capped(buf: bytes, start: int, end: int, limit: int) -> bytes:
    """A runaway dump's text: its first line, then each further line that still fits within
    ``limit`` bytes; the record's offsets still cover all of it."""
    kept, size, pos = [], 0, start
    while pos < end:
        stop = buf.find(b"\n", pos, end) + 1 or end  # only "\n" ends a line, not a lone "\r"
        if not kept or size + stop - pos <= limit:
            kept.append(buf[pos:stop])
            size += stop - pos
        pos = stop
    return b"".join(kept)
