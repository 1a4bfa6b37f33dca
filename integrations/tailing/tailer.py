"""FileTailer: follow one log path across growth, rotation, truncation and restarts.

The tailer keeps a list of open files: the first is the one the caller's committed position is
in, the last is the one currently at the path, and any in between were rotated away and only
need draining. poll() hands out bytes from the committed offset onwards; commit() moves the
committed offset. Nothing the caller has not committed is ever skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .locate import find_copy, find_file, open_regular
from .position import Chunk, FilePosition
from .tracked import TrackedFile

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1 << 20


@dataclass
class TailStats:
    rotations: int = 0
    truncations: int = 0
    # The stored position's file could not be found again: whatever was written to it after
    # that position (possibly nothing) was not read.
    possible_losses: int = 0


class FileTailer:
    def __init__(self, path: str | os.PathLike[str], position: FilePosition | None = None):
        self.path = Path(path)
        self.stats = TailStats()
        self._pending = position
        self._files: list[TrackedFile] = []
        self._committed = 0

    @property
    def position(self) -> FilePosition | None:
        """The committed position, naming the file by its newest identity; None before any file."""
        if not self._files:
            return self._pending
        return FilePosition(self._files[0].identity, self._committed)

    def poll(self, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Chunk]:
        """Up to `max_bytes` uncommitted bytes, oldest file first, from the committed position.

        Every poll starts again at the committed position, so what was handed out but not
        committed is offered again and the caller needs no buffer of its own. A caller that
        can consume nothing from a full poll (a record longer than `max_bytes`) must poll
        with a larger `max_bytes`: memory stays bounded by what the caller asks for.
        """
        if not self._files:
            self._start()
        if not self._files:
            return []
        self._check_truncations()
        self._follow_path()
        self._drop_finished()
        return self._read(max_bytes)

    def commit(self, position: FilePosition) -> None:
        """Record that everything before `position` has been consumed (and persisted).

        `position` must name a file from a chunk of this tailer (Chunk.position() gives one),
        at an offset no further than what was handed out. Committing into a later file
        finishes the earlier ones.
        """
        if not self._files and position == self._pending:
            return
        for index, tracked in enumerate(self._files):
            if position.identity in tracked.aliases:
                if position.offset > tracked.offered:
                    raise ValueError(f"commit past what was read: {position.offset} > {tracked.offered}")
                for done in self._files[:index]:
                    done.close()
                self._files = self._files[index:]
                self._committed = position.offset
                return
        raise ValueError(f"commit names a file this tailer is not reading: {position!r}")

    def close(self) -> None:
        for tracked in self._files:
            tracked.close()
        self._files = []

    def __enter__(self) -> FileTailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> None:
        if self._pending is None:
            fd = open_regular(self.path)
            if fd is not None:
                self._begin(TrackedFile.from_fd(fd), 0)
            return
        fd = find_file(self.path, self._pending.identity, self._pending.offset)
        if fd is not None:
            offset = self._pending.offset
            self._begin(TrackedFile.from_fd(fd, offered=offset, alias=self._pending.identity), offset)
            return
        fd = open_regular(self.path)
        if fd is not None:
            self.stats.possible_losses += 1
            logger.warning("%s: the file of the stored position is gone; reading from 0", self.path)
            self._begin(TrackedFile.from_fd(fd), 0)

    def _begin(self, tracked: TrackedFile, committed: int) -> None:
        self._files = [tracked]
        self._committed = committed
        self._pending = None

    def _check_truncations(self) -> None:
        for tracked in list(self._files):
            index = self._files.index(tracked)
            consumed = self._committed if index == 0 else 0
            if not tracked.still_same(consumed):
                self._replace_truncated(index, consumed)

    def _replace_truncated(self, index: int, consumed: int) -> None:
        """Restart a truncated file at 0, after draining its copy if copy-truncate made one."""
        old = self._files[index]
        self.stats.truncations += 1
        replacement = [TrackedFile.from_fd(old.fd)]
        copy_fd = find_copy(self.path, old.identity, consumed)
        if copy_fd is not None:
            copy = TrackedFile.from_fd(copy_fd, offered=consumed)
            copy.aliases |= old.aliases
            replacement.insert(0, copy)
        else:
            logger.warning("%s: truncated; unread content (if any) is lost", self.path)
            if index == 0:
                self._committed = 0
        self._files[index : index + 1] = replacement

    def _follow_path(self) -> None:
        """Notice that the path now names another file (a rotation) and start following it."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            # Renamed away and not recreated yet: the writer may still append to the old file.
            return
        if self._files[-1].same_inode(stat):
            return
        fd = open_regular(self.path)
        if fd is None:
            return
        opened = os.fstat(fd)
        if any(tracked.same_inode(opened) for tracked in self._files):
            os.close(fd)
            return
        self.stats.rotations += 1
        logger.info("%s: rotated; draining the old file first", self.path)
        self._files.append(TrackedFile.from_fd(fd))

    def _drop_finished(self) -> None:
        # A rotated-away file that is committed to its end has nothing more to give.
        while len(self._files) > 1 and self._committed >= self._files[0].size():
            self._files.pop(0).close()
            self._committed = 0

    def _read(self, max_bytes: int) -> list[Chunk]:
        chunks: list[Chunk] = []
        budget = max_bytes
        for index, tracked in enumerate(self._files):
            size = tracked.size()
            start = self._committed if index == 0 else 0
            end = min(size, start + budget)
            if end > start:
                data = tracked.read(start, end)
                end = start + len(data)
                budget -= len(data)
                final = index < len(self._files) - 1 and end >= size
                chunks.append(Chunk(data, start, end, tracked.identity, final))
            tracked.offered = max(tracked.offered, end)
            if end < size:
                break
        return chunks
