"""Reassembling newline-terminated records from a byte stream that TCP cuts anywhere."""
from __future__ import annotations


class LineSplitter:
    """Feed chunks, get back whole lines (without ``\\r\\n``/``\\n``).

    A line longer than ``max_line`` bytes is dropped up to its newline and counted in
    ``overlong``: a peer that never sends a newline must not grow our memory without bound.
    """

    def __init__(self, max_line: int = 64 * 1024) -> None:
        self._max_line = max_line
        self._buffer = bytearray()
        self._discarding = False
        self.overlong = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        lines: list[bytes] = []
        while (end := self._buffer.find(b"\n")) != -1:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            if self._discarding:
                self._discarding = False  # this was the tail of an overlong line
            else:
                lines.append(line.removesuffix(b"\r"))
        if len(self._buffer) > self._max_line:
            self._buffer.clear()
            if not self._discarding:
                self.overlong += 1
            self._discarding = True
        return lines

    def flush(self) -> bytes | None:
        """The last line when the peer closes without a final newline, else None."""
        line, self._buffer = bytes(self._buffer), bytearray()
        if self._discarding or not line:
            self._discarding = False
            return None
        return line.removesuffix(b"\r")
