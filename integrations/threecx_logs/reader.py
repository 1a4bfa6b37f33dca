"""Incremental record reader over log BYTES, with byte offsets a tailer can persist.

A record is an envelope line plus the lines after it that do not start with an envelope. It is
complete only when the next envelope line arrives or the caller says the input is final
(``flush``), so ``resume_offset`` always points at the first byte whose record has not been
emitted yet: re-reading from there after a restart loses nothing and repeats nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from .envelope import ENVELOPE_BYTES

DEFAULT_MAX_RECORD_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Record:
    text: str  # decoded with errors="replace", lines joined with "\n", line ends dropped
    start: int  # absolute offset of the record's first byte
    end: int  # absolute offset just past its last byte (its last newline, if any)
    lines: int = 1


class RecordReader:
    def __init__(self, offset: int = 0, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES):
        self._buf = bytearray()  # bytes after the last complete line
        self._buf_start = offset
        self._scanned = 0  # bytes of _buf already known to hold no newline
        self._lines: list[bytes] = []  # the open record
        self._size = 0
        self._count = 0
        self._start = offset
        self._end = offset
        self._max = max_record_bytes

    @property
    def resume_offset(self) -> int:
        """Offset of the first byte not yet consumed into an emitted record."""
        return self._start if self._count else self._buf_start

    @property
    def fed_offset(self) -> int:
        """Offset just past the last byte fed; the next ``feed`` must start here."""
        return self._buf_start + len(self._buf)

    def feed(self, chunk: bytes, base_offset: int | None = None) -> list[Record]:
        if base_offset is not None and base_offset != self.fed_offset:
            raise ValueError(f"chunk starts at {base_offset}, expected {self.fed_offset}")
        self._buf += chunk
        out: list[Record] = []
        pos = 0
        while (newline := self._buf.find(b"\n", max(pos, self._scanned))) != -1:
            self._take_line(bytes(self._buf[pos : newline + 1]), self._buf_start + pos, out)
            pos = newline + 1
        del self._buf[:pos]
        self._buf_start += pos
        self._scanned = len(self._buf)
        return out

    def flush(self) -> list[Record]:
        """The input is final: a last line without newline counts, the open record closes."""
        out: list[Record] = []
        if self._buf:
            self._take_line(bytes(self._buf), self._buf_start, out)
            self._buf_start += len(self._buf)
            self._buf.clear()
            self._scanned = 0
        if self._count:
            out.append(self._close())
        return out

    def close_pending(self) -> list[Record]:
        """Emit the open record now if no line is half-written (for a tailer whose file went
        quiet): 3CX writes a record with its continuation lines at once, so after a pause the
        last record is complete in practice. A continuation that still arrives later becomes a
        record of its own, which the parser skips as ``no_envelope``."""
        if self._buf or not self._count:
            return []
        return [self._close()]

    def _take_line(self, line: bytes, start: int, out: list[Record]) -> None:
        if self._count and ENVELOPE_BYTES.match(line):
            out.append(self._close())
        if not self._count:
            self._start = start
        # Past the cap a runaway dump still advances the offsets, it just stops growing the text.
        if not self._count or self._size + len(line) <= self._max:
            self._lines.append(line)
            self._size += len(line)
        self._count += 1
        self._end = start + len(line)

    def _close(self) -> Record:
        text = b"".join(self._lines).decode("utf-8", errors="replace")
        text = text.replace("\r\n", "\n").rstrip("\r\n")
        record = Record(text, self._start, self._end, self._count)
        self._lines, self._size, self._count = [], 0, 0
        self._start = self._end
        return record
