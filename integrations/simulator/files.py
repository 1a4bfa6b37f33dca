"""Log files as 3CX keeps them: UTF-8, one record per line, renamed away when too big.

Rotation naming (chosen, documented in README.md): when writing a record would take a file
past `rotate_bytes`, `X.log` is renamed to `X.log.1`, an older `X.log.1` to `X.log.2`, and
so on up to `X.log.5` (ROTATED_KEEP); the oldest is deleted, then a new empty `X.log` is
started. A tailer sees its file renamed (same inode, new name) and a new file appear.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .merge import SimLine

STREAM_FILES = {
    "callflow": "3CXCallFlow.log",
    "queuemanager": "3CXQueueManager.log",
    "cdr": "cdr.log",
}
ROTATED_KEEP = 5


class LogFile:
    def __init__(self, path: Path, *, rotate_bytes: int | None = None, append: bool = True):
        self.path, self.rotate_bytes = path, rotate_bytes
        self._file = open(path, "ab" if append else "wb")
        self.size = self._file.tell()

    def write(self, text: str, *, flush: bool = False) -> None:
        data = (text + "\n").encode("utf-8")
        if self.rotate_bytes and self.size and self.size + len(data) > self.rotate_bytes:
            self.rotate()
        self._file.write(data)
        self.size += len(data)
        if flush:
            self._file.flush()

    def rotate(self) -> None:
        self._file.close()
        oldest = self.path.with_name(f"{self.path.name}.{ROTATED_KEEP}")
        if oldest.exists():
            oldest.unlink()
        for index in range(ROTATED_KEEP - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{index + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        self._file = open(self.path, "wb")
        self.size = 0

    def close(self) -> None:
        self._file.close()


class LogSet:
    """The three files of one simulated PBX, by stream name."""

    def __init__(self, out_dir: Path, *, rotate_bytes: int | None = None, append: bool = True):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.files = {stream: LogFile(out_dir / name, rotate_bytes=rotate_bytes, append=append)
                      for stream, name in STREAM_FILES.items()}

    def write(self, line: SimLine, *, flush: bool = False) -> None:
        self.files[line.stream].write(line.text, flush=flush)

    def close(self) -> None:
        for log in self.files.values():
            log.close()

    def __enter__(self) -> "LogSet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_batch(out_dir: Path, lines: Iterable[SimLine], *, rotate_bytes: int | None = None,
                append: bool = False) -> dict[str, int]:
    """Write generated lines all at once (no per-line flush). Starts the files afresh
    unless `append`. Returns how many records went to each stream."""
    counts = dict.fromkeys(STREAM_FILES, 0)
    with LogSet(Path(out_dir), rotate_bytes=rotate_bytes, append=append) as logs:
        for line in lines:
            logs.write(line)
            counts[line.stream] += 1
    return counts
