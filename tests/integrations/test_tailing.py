"""FileTailer on real files: growth, rotation, truncation, restarts."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from integrations.tailing import FileIdentity, FilePosition, FileTailer


def consume(tailer: FileTailer, max_bytes: int = 1 << 20) -> tuple[bytes, FilePosition | None]:
    """A record reader's view: take complete lines (all of a final chunk), then commit."""
    taken, position = bytearray(), None
    for chunk in tailer.poll(max_bytes):
        used = len(chunk.data) if chunk.final else chunk.data.rfind(b"\n") + 1
        taken += chunk.data[:used]
        position = chunk.position(used)
        if used < len(chunk.data):
            break
    if position is not None:
        tailer.commit(position)
    return bytes(taken), position


def restart(tailer: FileTailer, position: FilePosition | None) -> FileTailer:
    """A new process: only the stored position survives, and it went through JSON."""
    tailer.close()
    stored = json.loads(json.dumps(position.to_dict())) if position else None
    return FileTailer(tailer.path, FilePosition.from_dict(stored) if stored else None)


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def truncate_and_write(path: Path, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.truncate(0)
        f.write(data)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "3CXCallFlow.log"


def test_growth_in_several_steps_returns_each_line_once(log):
    append(log, b"a1\na2\n")
    tailer = FileTailer(log, None)
    assert consume(tailer)[0] == b"a1\na2\n"
    assert consume(tailer)[0] == b""
    append(log, b"b1\n")
    assert consume(tailer)[0] == b"b1\n"
    append(log, b"c1\nc2\n")
    assert consume(tailer)[0] == b"c1\nc2\n"


def test_partial_line_is_reoffered_until_completed(log):
    append(log, b"done\nhal")
    tailer = FileTailer(log, None)
    chunks = tailer.poll()
    assert [(c.data, c.start, c.end) for c in chunks] == [(b"done\nhal", 0, 8)]
    tailer.commit(chunks[0].position(5))
    assert [c.data for c in tailer.poll()] == [b"hal"]
    append(log, b"f\nnext")
    assert consume(tailer)[0] == b"half\n"
    assert tailer.position.offset == 10


def test_poll_without_commit_offers_the_same_bytes_again(log):
    append(log, b"x\ny\n")
    tailer = FileTailer(log, None)
    assert tailer.poll()[0].data == b"x\ny\n"
    assert tailer.poll()[0].data == b"x\ny\n"


def test_rename_rotation_drains_lines_written_just_before_rename(log):
    append(log, b"old1\n")
    tailer = FileTailer(log, None)
    assert consume(tailer)[0] == b"old1\n"
    append(log, b"old2\nold3\n")
    os.rename(log, log.with_name("3CXCallFlow.log.1"))
    append(log, b"new1\n")
    chunks = tailer.poll()
    assert [(c.data, c.final) for c in chunks] == [(b"old2\nold3\n", True), (b"new1\n", False)]
    assert consume(tailer)[0] == b"old2\nold3\nnew1\n"
    append(log, b"new2\n")
    assert consume(tailer)[0] == b"new2\n"
    assert tailer.stats.rotations == 1


def test_unterminated_last_line_of_rotated_file_is_delivered_as_final(log):
    append(log, b"a\npartial")
    tailer = FileTailer(log, None)
    assert consume(tailer)[0] == b"a\n"
    os.rename(log, log.with_name("3CXCallFlow.1.log"))
    append(log, b"b\n")
    assert consume(tailer)[0] == b"partialb\n"


def test_rotated_file_deleted_while_open_is_still_drained(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    consume(tailer)
    append(log, b"b\n")
    tailer.poll(max_bytes=0)
    rotated = log.with_name("old.log")
    os.rename(log, rotated)
    append(log, b"c\n")
    tailer.poll(max_bytes=0)
    rotated.unlink()
    assert consume(tailer)[0] == b"b\nc\n"


def test_renamed_path_not_yet_recreated_keeps_following_old_file(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    consume(tailer)
    rotated = log.with_name("3CXCallFlow.log.1")
    os.rename(log, rotated)
    append(rotated, b"late\n")
    assert consume(tailer)[0] == b"late\n"
    append(log, b"new\n")
    assert consume(tailer)[0] == b"new\n"


def test_copy_truncate_rotation_reads_rest_from_copy(log):
    append(log, b"one\n")
    tailer = FileTailer(log, None)
    consume(tailer)
    append(log, b"two\n")
    shutil.copyfile(log, log.with_name("3CXCallFlow.log.1"))
    truncate_and_write(log, b"three\n")
    assert consume(tailer)[0] == b"two\nthree\n"
    assert tailer.stats.truncations == 1


def test_copy_truncate_of_file_empty_when_opened(log):
    log.touch()
    tailer = FileTailer(log, None)
    assert tailer.poll() == []
    append(log, b"one\ntw")
    tailer.poll(max_bytes=0)  # sees the head, commits nothing
    append(log, b"o\n")
    shutil.copyfile(log, log.with_name("3CXCallFlow.log.1"))
    truncate_and_write(log, b"three\n")
    assert consume(tailer)[0] == b"one\ntwo\nthree\n"


def test_truncation_in_place_restarts_at_zero(log):
    append(log, b"first line\n")
    tailer = FileTailer(log, None)
    consume(tailer)
    truncate_and_write(log, b"x\n")
    assert consume(tailer)[0] == b"x\n"
    append(log, b"y\n")
    assert consume(tailer)[0] == b"y\n"
    assert tailer.stats.truncations == 1


def test_truncation_to_longer_content_is_caught_by_fingerprint(log):
    append(log, b"aaaa\n")
    tailer = FileTailer(log, None)
    consume(tailer)
    truncate_and_write(log, b"bbbbbbbbbbbb\n")
    assert consume(tailer)[0] == b"bbbbbbbbbbbb\n"


def test_resume_after_restart_continues_at_stored_offset(log):
    append(log, b"a\nb\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    append(log, b"c\n")
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"c\n"


def test_resume_without_commit_rereads_what_was_not_committed(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    append(log, b"b\n")
    tailer.poll()  # read but the transaction never committed
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"b\n"


def test_resume_after_rename_rotation_while_down(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    tailer.close()
    append(log, b"b\n")
    os.rename(log, log.with_name("3CXCallFlow.log.1"))
    append(log, b"c\n")
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"b\nc\n"
    assert tailer.stats.possible_losses == 0


def test_resume_after_copy_truncate_while_down(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    tailer.close()
    append(log, b"b\n")
    shutil.copyfile(log, log.with_name("3CXCallFlow.log.1"))
    truncate_and_write(log, b"c\n")
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"b\nc\n"


def test_resume_after_truncation_while_down_starts_at_zero(log):
    append(log, b"a long first line\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    tailer.close()
    truncate_and_write(log, b"z\n")
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"z\n"


def test_resume_when_old_file_is_gone_starts_new_file_and_flags_loss(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    tailer.close()
    log.unlink()
    append(log.with_name("unrelated.log"), b"other\n")  # may reuse the inode
    append(log, b"fresh\n")
    tailer = restart(tailer, position)
    assert consume(tailer)[0] == b"fresh\n"
    assert tailer.stats.possible_losses == 1


def test_resume_while_path_missing_waits_for_the_file(log):
    append(log, b"a\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    tailer.close()
    log.unlink()
    tailer = restart(tailer, position)
    assert tailer.poll() == []
    assert tailer.position == position
    append(log, b"b\n")
    assert consume(tailer)[0] == b"b\n"


def test_inode_reuse_with_different_content_is_detected(log):
    append(log, b"new content\n")
    stat = os.stat(log)
    stale = FileIdentity(stat.st_dev, stat.st_ino, fp_len=12, fp_hash="0" * 32)
    tailer = FileTailer(log, FilePosition(stale, offset=5))
    assert consume(tailer)[0] == b"new content\n"
    assert tailer.stats.possible_losses == 1


def test_resume_after_inode_number_changed_matches_by_content(log):
    # CIFS/NFS remounts and renumbered devices change (dev, ino) of the very same file.
    append(log, b"a\nb\n")
    tailer = FileTailer(log, None)
    position = consume(tailer)[1]
    moved = dataclasses.replace(position.identity, dev=position.identity.dev + 1)
    append(log, b"c\n")
    tailer = restart(tailer, FilePosition(moved, position.offset))
    assert consume(tailer)[0] == b"c\n"
    assert tailer.stats.possible_losses == 0


def test_missing_file_returns_nothing_until_created(log):
    tailer = FileTailer(log, None)
    assert tailer.poll() == []
    assert tailer.position is None
    append(log, b"hello\n")
    assert consume(tailer)[0] == b"hello\n"


def test_missing_directory_returns_nothing(tmp_path):
    tailer = FileTailer(tmp_path / "no" / "such.log", None)
    assert tailer.poll() == []


def test_multi_megabyte_file_is_read_completely_in_bounded_chunks(log):
    line = b"2026/05/06 18:15:19.899|0004|Info| [CallFlow] " + b"x" * 150 + b"\n"
    data = line * 30_000  # about 6 MB
    append(log, data)
    tailer = FileTailer(log, None)
    got, polls = bytearray(), 0
    while polls < 100:
        chunks = tailer.poll(max_bytes=1 << 20)
        if not chunks:
            break
        assert sum(len(c.data) for c in chunks) <= 1 << 20
        got += consume_chunks(tailer, chunks)
        polls += 1
    assert bytes(got) == data
    assert 6 <= polls <= 8


def consume_chunks(tailer: FileTailer, chunks) -> bytes:
    chunk = chunks[0]
    used = chunk.data.rfind(b"\n") + 1
    tailer.commit(chunk.position(used))
    return chunk.data[:used]


def test_poll_never_returns_more_than_max_bytes(log):
    append(log, b"y" * 100 + b"\n")
    tailer = FileTailer(log, None)
    assert [len(c.data) for c in tailer.poll(max_bytes=40)] == [40]
    assert [len(c.data) for c in tailer.poll(max_bytes=40)] == [40]
    assert consume(tailer, max_bytes=40)[0] == b""
    assert consume(tailer, max_bytes=200)[0] == b"y" * 100 + b"\n"


def test_max_bytes_is_shared_between_old_and_new_file(log):
    append(log, b"a" * 30 + b"\n")
    tailer = FileTailer(log, None)
    tailer.poll(max_bytes=0)
    os.rename(log, log.with_name("3CXCallFlow.log.1"))
    append(log, b"b" * 30 + b"\n")
    chunks = tailer.poll(max_bytes=40)
    assert [(len(c.data), c.final) for c in chunks] == [(31, True), (9, False)]


def test_fingerprint_grows_with_a_short_file(log):
    append(log, b"ab\n")
    tailer = FileTailer(log, None)
    assert consume(tailer)[1].identity.fp_len == 3
    append(log, b"c" * 300 + b"\n")
    assert consume(tailer)[1].identity.fp_len == 256


def test_commit_accepts_an_older_identity_of_the_same_file(log):
    append(log, b"ab\n")
    tailer = FileTailer(log, None)
    early = tailer.poll()[0]
    append(log, b"cd\n")
    tailer.poll()
    tailer.commit(early.position(3))
    assert consume(tailer)[0] == b"cd\n"


def test_commit_rejects_unknown_file_and_offsets_not_read(log, tmp_path):
    append(log, b"ab\n")
    tailer = FileTailer(log, None)
    chunk = tailer.poll()[0]
    with pytest.raises(ValueError):
        tailer.commit(FilePosition(chunk.identity, offset=4))
    other = FileIdentity(1, 2, 0, chunk.identity.fp_hash)
    with pytest.raises(ValueError):
        tailer.commit(FilePosition(other, offset=0))
    with pytest.raises(ValueError):
        chunk.position(4)


def test_position_round_trips_through_json():
    position = FilePosition(FileIdentity(64769, 123456, 256, "ab" * 16), 98765)
    assert FilePosition.from_dict(json.loads(json.dumps(position.to_dict()))) == position


@pytest.mark.parametrize(
    "data",
    [
        {"identity": {"dev": 1, "ino": 2, "fp_len": 3, "fp_hash": "x"}, "offset": -1},
        {"identity": {"dev": "1", "ino": 2, "fp_len": 3, "fp_hash": "x"}, "offset": 0},
        {"identity": {"dev": 1, "ino": 2, "fp_len": True, "fp_hash": "x"}, "offset": 0},
        {"identity": {"dev": 1, "ino": 2, "fp_len": 3, "fp_hash": 7}, "offset": 0},
    ],
)
def test_position_from_dict_rejects_bad_values(data):
    with pytest.raises(ValueError):
        FilePosition.from_dict(data)
