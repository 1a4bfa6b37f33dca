"""SourceFollower on real files as 3CX and logrotate treat them: appends, rename rotation with
lines written just before the rename, copy-truncate, a half-written last line, a restart."""
import os
import shutil
import time
from datetime import datetime

import pytest

from hub.models import IngestSource, SourceKind, StoredPbxEvent
from hub.services.ingest import follow
from hub.services.ingest.follow import QUIET_SECONDS, SourceFollower
from integrations.simulator import generate
from tests.factories import make_account
from tests.ingest.hub_processes import TZ, file_keys

STREAMS = {
    "callflow": ("3CXCallFlow.log", SourceKind.CALLFLOW_LOG),
    "cdr": ("cdr.log", SourceKind.CDR_FILE),
}


def _records(stream: str) -> list[bytes]:
    lines = generate(start=datetime(2025, 3, 1, 8, tzinfo=TZ), n_calls=40, seed=17)
    return [(line.text + "\n").encode() for line in lines if line.stream == stream]


class Traffic:
    """The records written so far, so each check knows exactly what the files held."""

    def __init__(self, path, records):
        self.path, self.name = path, path.name
        self.groups = [records[i * len(records) // 8:(i + 1) * len(records) // 8] for i in range(8)]
        self.written: list[bytes] = []

    def append(self, index: int, *, suffix: bytes = b"") -> None:
        with open(self.path, "ab") as handle:
            handle.write(b"".join(self.groups[index]) + suffix)
        self.written += self.groups[index]

    def keys(self, records=None) -> set:
        return file_keys(self.name, b"".join(self.written if records is None else records))


def _stored(source) -> set:
    return set(StoredPbxEvent.objects.filter(pbx=source.pbx).values_list("source", "dedupe_key"))


def _assert_read_once(source, traffic: Traffic, *, complete: bool = False) -> None:
    """Stored: every record written (the newest one may wait for its continuation lines unless
    `complete`), nothing else; and no record decoded twice (the source counts every decode)."""
    stored = _stored(source)
    written = traffic.keys()
    assert stored <= written
    assert traffic.keys(traffic.written[:-1] if not complete else None) <= stored
    source.refresh_from_db()
    assert source.events_stored == len(stored)


@pytest.mark.django_db
@pytest.mark.parametrize("stream", STREAMS)
def test_follower_reads_every_record_once_across_rotation_truncation_and_restart(tmp_path, stream):
    name, kind = STREAMS[stream]
    path = tmp_path / name
    traffic = Traffic(path, _records(stream))
    _, pbx, _ = make_account(timezone="+11:00")
    source = IngestSource.objects.create(pbx=pbx, kind=kind, path=str(path))
    follower = SourceFollower(source)

    traffic.append(0)
    follower.poll()
    _assert_read_once(source, traffic)

    # Rename rotation: lines land in the old file just before the rename, and the new file
    # already has lines when the follower next looks.
    traffic.append(1)
    os.rename(path, tmp_path / f"{name}.1")
    traffic.append(2)
    follower.poll()
    _assert_read_once(source, traffic)
    assert follower.tailer.stats.rotations == 1

    # Copy-truncate: the copy holds the unread tail, the truncated file starts again.
    traffic.append(3)
    os.rename(tmp_path / f"{name}.1", tmp_path / f"{name}.2")
    shutil.copyfile(path, tmp_path / f"{name}.1")
    os.truncate(path, 0)
    traffic.append(4)
    follower.poll()
    _assert_read_once(source, traffic)
    assert follower.tailer.stats.truncations == 1

    # A half-written last line is left alone until its end arrives.
    half = len(traffic.groups[6][0]) // 2
    traffic.append(5, suffix=traffic.groups[6][0][:half])
    follower.poll()
    _assert_read_once(source, traffic)
    with open(path, "ab") as handle:
        handle.write(b"".join(traffic.groups[6])[half:])
    traffic.written += traffic.groups[6]
    follower.poll()
    _assert_read_once(source, traffic)

    source.refresh_from_db()
    assert source.position == follower.tailer.position.to_dict()
    follower.close()

    # A new follower built from the stored position goes on where the last one committed.
    traffic.append(7)
    restarted = SourceFollower(IngestSource.objects.get(pk=source.pk))
    restarted.poll()
    if kind != SourceKind.CDR_FILE:
        time.sleep(QUIET_SECONDS + 0.1)  # a log's last record is complete once the file goes quiet
        restarted.poll()
    restarted.close()
    _assert_read_once(source, traffic, complete=True)
    assert _stored(source) == traffic.keys()
    source.refresh_from_db()
    assert source.events_stored == len(traffic.keys()) and source.last_error == ""
    assert source.position["offset"] == path.stat().st_size


@pytest.mark.django_db
def test_a_record_longer_than_a_polls_budget_is_read_not_offered_again_for_ever(tmp_path, monkeypatch):
    # The tailer hands out at most the budget from the committed position: a record longer than
    # it can only be read by a poll that asks for more.
    records = _records("cdr")[:3]
    monkeypatch.setattr(follow, "MAX_BYTES", min(len(r) for r in records) // 3)
    path = tmp_path / "cdr.log"
    traffic = Traffic(path, records)
    _, pbx, _ = make_account(timezone="+11:00")
    source = IngestSource.objects.create(pbx=pbx, kind=SourceKind.CDR_FILE, path=str(path))
    follower = SourceFollower(source)
    for index in range(8):
        traffic.append(index)

    polls = 0
    while IngestSource.objects.get(pk=source.pk).behind or polls == 0:
        assert polls < 50, "the follower reads the same part of a long record for ever"
        follower.poll()
        polls += 1
    follower.close()

    assert _stored(source) == traffic.keys()
