"""Randomised: appends, rotations, truncations, restarts; every byte consumed exactly once."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from integrations.tailing import Chunk, FilePosition, FileTailer
from integrations.tailing.identity import is_same_file

# Every 16-byte window of the written text is unique, so the fingerprint of one file never
# matches another by accident: file heads of real 3CX logs start with a millisecond timestamp.
MIN_HEAD = 16


def unique_line(serial: int, length: int) -> bytes:
    blocks = (hashlib.sha256(f"{serial}:{k}".encode()).hexdigest() for k in range(length // 64 + 1))
    return "".join(blocks).encode()[:length] + b"\n"


def take_lines(chunks: list[Chunk]) -> tuple[bytes, FilePosition | None]:
    """A record reader: complete lines only, except that a final chunk is taken whole."""
    taken, position = bytearray(), None
    for chunk in chunks:
        used = len(chunk.data) if chunk.final else chunk.data.rfind(b"\n") + 1
        taken += chunk.data[:used]
        position = chunk.position(used)
        if used < len(chunk.data):
            break
    return bytes(taken), position


class TailingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="tailing-"))
        self.path = self.dir / "3CXQueueManager.log"
        self.written = bytearray()
        self.consumed = bytearray()
        self.unwritten = b""  # the rest of a line the writer has started
        self.serial = 0
        self.generation = 0
        self.stored: FilePosition | None = None
        self.tailer = FileTailer(self.path, None)

    def teardown(self) -> None:
        self.tailer.close()
        shutil.rmtree(self.dir)

    def _file_len(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def _stored_is_current(self) -> bool:
        # Rotating again before the stored position reached the current file's content could,
        # after a restart, skip a whole intermediate file: the tailer only finds the stored one.
        # Real tailers commit every poll interval; 3CX rotates every few megabytes.
        if self.stored is None or not self.path.exists():
            return False
        with open(self.path, "rb") as f:
            return self.stored.identity.fp_len > 0 and is_same_file(f.fileno(), self.stored.identity)

    @rule(lengths=st.lists(st.integers(MIN_HEAD, 300), min_size=1, max_size=5), cut=st.integers(0, 300))
    def append(self, lengths: list[int], cut: int) -> None:
        text = self.unwritten + b"".join(unique_line(self.serial + i, n) for i, n in enumerate(lengths))
        self.serial += len(lengths)
        keep = min(cut, len(text) - MIN_HEAD)
        text, self.unwritten = text[: len(text) - keep], text[len(text) - keep :]
        with open(self.path, "ab") as f:
            f.write(text)
        self.written += text

    @rule(max_bytes=st.sampled_from([1, 50, 700, 1 << 20]))
    def consume(self, max_bytes: int) -> None:
        chunks = self.tailer.poll(max_bytes)
        taken, position = take_lines(chunks)
        while not taken and sum(len(c.data) for c in chunks) == max_bytes:
            max_bytes *= 2  # a record longer than max_bytes: ask for more
            chunks = self.tailer.poll(max_bytes)
            taken, position = take_lines(chunks)
        if position is not None:
            self.tailer.commit(position)
            self.consumed += taken
            self.stored = position  # the same transaction as the consumed records

    @rule()
    def poll_without_commit(self) -> None:
        self.tailer.poll(700)

    @rule()
    def restart(self) -> None:
        self.tailer.close()
        stored = json.loads(json.dumps(self.stored.to_dict())) if self.stored else None
        self.tailer = FileTailer(self.path, FilePosition.from_dict(stored) if stored else None)

    @precondition(lambda self: self._stored_is_current())
    @rule(recreate=st.booleans())
    def rotate_by_rename(self, recreate: bool) -> None:
        self.generation += 1
        os.rename(self.path, self.dir / f"3CXQueueManager.log.{self.generation}")
        if recreate:
            self.path.touch()

    @precondition(lambda self: self._stored_is_current())
    @rule()
    def rotate_by_copy_truncate(self) -> None:
        self.generation += 1
        shutil.copyfile(self.path, self.dir / f"3CXQueueManager.{self.generation}.log")
        os.truncate(self.path, 0)

    @precondition(lambda self: self._stored_is_current() and self.stored.offset == self._file_len())
    @rule()
    def truncate_in_place_after_everything_was_consumed(self) -> None:
        os.truncate(self.path, 0)

    @invariant()
    def consumed_is_a_prefix_of_written(self) -> None:
        assert self.written.startswith(self.consumed)

    @rule()
    def finish_and_drain(self) -> None:
        self.append([MIN_HEAD], cut=0)
        for _ in range(100):
            before = len(self.consumed)
            self.consume(1 << 20)
            if len(self.consumed) == before:
                break
        assert bytes(self.consumed) == bytes(self.written)


TailingMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
test_tailing_exactly_once = TailingMachine.TestCase
