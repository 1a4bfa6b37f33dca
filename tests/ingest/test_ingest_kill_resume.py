"""A real `manage.py ingest` SIGKILLed part-way through big log files, again and again.

The position of each file commits in the same transaction as the events read before it, so
whenever the process dies the database holds exactly the events before each stored position,
and a restart goes on from there: in the end every event of the files is stored once.
"""
import time
from datetime import datetime
from pathlib import Path

from hub.assembly import assemble_call, group_calls
from integrations.simulator import generate, write_batch
from integrations.tailing import DEFAULT_MAX_BYTES
from tests.ingest.hub_processes import (
    FILE_SOURCES, TZ, HubDb, file_keys, hub_db, hub_process, parse_file_bytes, wait_for,
)

N_CALLS = 1650  # about 18,000 lines; the CallFlow log comes out a little over one read (1 MiB)
START = datetime(2025, 3, 1, 8, tzinfo=TZ)


def _write_traffic(directory: Path) -> dict[str, bytes]:
    write_batch(directory, generate(start=START, n_calls=N_CALLS, calls_per_minute=30, seed=41))
    return {name: (directory / name).read_bytes() for name in FILE_SOURCES}


def _stored(db: HubDb) -> int:
    return db.scalar("SELECT count(*) FROM hub_storedpbxevent")


def _assert_stored_exactly_up_to_positions(db: HubDb, directory: Path, files: dict[str, bytes]) -> None:
    """What a crash may leave: for every file, the events before its stored position, no more."""
    sources = db.sources()
    for name, data in files.items():
        position = sources[str((directory / name).resolve())]["position"]
        offset = position["offset"] if position else 0
        stored = db.stored_keys(FILE_SOURCES[name].value)
        assert len(stored) == len(set(stored))
        assert set(stored) == file_keys(name, data[:offset]), name


def _all_read(db: HubDb, files: dict[str, bytes], total: int) -> bool:
    if _stored(db) != total:
        return False
    offsets = {Path(path).name: (s["position"] or {}).get("offset") for path, s in db.sources().items()}
    return all(offsets[name] == len(data) for name, data in files.items())


def _assembled_from_files(files: dict[str, bytes]) -> dict[str, dict]:
    events = [e for name, data in files.items() for e in parse_file_bytes(name, data)]
    calls, _ = group_calls(events)
    records = [assemble_call(call, tz=TZ).to_dict() for call in calls]
    return {r["unique_call_id"]: r for r in records}


def test_ingest_killed_mid_file_resumes_without_loss_or_duplicates(tmp_path):
    directory = tmp_path / "pbx"
    files = _write_traffic(directory)
    assert len(files["3CXCallFlow.log"]) > DEFAULT_MAX_BYTES  # so the first kill lands mid-file
    expected = set().union(*(file_keys(name, data) for name, data in files.items()))
    db = hub_db(tmp_path)
    db.file_sources_ensure(directory)
    ingest_args = ("ingest", "--poll-interval", "0.1")
    log = tmp_path / "ingest.log"

    # Killed right after its first batch commits: the CallFlow log is read only part-way.
    with hub_process(db, *ingest_args, log_path=log) as ingest:
        wait_for(lambda: _stored(db) > 0, timeout=60, interval=0.01, what="the first batch", alive=ingest)
        ingest.kill()
    callflow = db.sources()[str((directory / "3CXCallFlow.log").resolve())]
    assert 0 < callflow["position"]["offset"] < len(files["3CXCallFlow.log"])
    assert 0 < _stored(db) < len(expected)
    _assert_stored_exactly_up_to_positions(db, directory, files)

    # Killed a moment into its work, most likely inside a batch's transaction.
    with hub_process(db, *ingest_args, log_path=log) as ingest:
        wait_for(lambda: ingest.output().count("ingest: running") == 2, timeout=30, what="start", alive=ingest)
        time.sleep(1.0)
        ingest.kill()
    _assert_stored_exactly_up_to_positions(db, directory, files)

    # Killed right after the next batch commits.
    with hub_process(db, *ingest_args, log_path=log) as ingest:
        before = _stored(db)
        wait_for(lambda: _stored(db) > before, timeout=60, interval=0.01, what="the next batch", alive=ingest)
        ingest.kill()
    _assert_stored_exactly_up_to_positions(db, directory, files)

    # Left to finish, then stopped as a service manager does.
    with hub_process(db, *ingest_args, log_path=log) as ingest:
        # Its SIGTERM handler first: the last killed run may have read everything already, and a
        # SIGTERM during start-up would end the process with -15 instead of a clean stop.
        wait_for(lambda: ingest.output().count("ingest: running") == 4, timeout=30, what="start", alive=ingest)
        wait_for(lambda: _all_read(db, files, len(expected)), timeout=90, interval=0.2,
                 what="every file read to its end", alive=ingest)
        assert ingest.terminate() == 0
    assert ingest.output().count("ingest: stopped") == 1  # the SIGKILLed runs never got to say it

    stored = db.stored_keys()
    assert len(stored) == len(expected) and set(stored) == expected
    sources = db.sources()
    for name, data in files.items():
        source = sources[str((directory / name).resolve())]
        assert source["events_stored"] == len(parse_file_bytes(name, data)), name  # no batch counted twice
        assert source["last_error"] == ""
    assert db.scalar("SELECT count(*) FROM hub_call") == N_CALLS
    assert db.calls_as_dicts() == _assembled_from_files(files)
