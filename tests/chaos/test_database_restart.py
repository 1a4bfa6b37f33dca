"""PostgreSQL dies and comes back while a PBX keeps writing: ingest, the worker and beat wait
for it instead of exiting, then catch up, and every webhook goes out once, in each call's order."""
from datetime import datetime

import pytest

from integrations.simulator import generate
from tests.chaos.stack import (
    Traffic, assert_delivered_once_each_in_order, wait_all_delivered, wait_all_read,
)
from tests.ingest.hub_processes import TZ, wait_for

pytestmark = pytest.mark.services

N_CALLS = 30
SLICE = 25  # lines appended at a time


def _retries(process) -> int:
    return process.output().count("database unavailable")


def test_processes_ride_out_a_postgresql_restart_and_catch_up(hub_on_redis, chaos_postgres, receiver, tmp_path):
    hub = hub_on_redis
    directory = tmp_path / "pbx"
    traffic = Traffic(directory, list(generate(start=datetime(2025, 3, 1, 8, tzinfo=TZ), n_calls=N_CALLS,
                                                calls_per_minute=60, seed=17)))
    hub.files_follow(directory)
    hub.endpoint_subscribe_all(receiver.url)
    worker, beat, ingest = hub.worker(), hub.beat(), hub.ingest()

    while len(receiver.requests) < 5 and not traffic.done:
        traffic.write(SLICE)
        wait_for(lambda: receiver.requests, timeout=60, what="a first delivery", alive=ingest)

    chaos_postgres.stop()
    try:
        # The PBX goes on writing; ingest finds the database gone and keeps retrying.
        while traffic.written < len(traffic.lines) * 2 // 3:
            traffic.write(SLICE)
        wait_for(lambda: _retries(ingest) >= 3, timeout=60, interval=0.2,
                 what="ingest to retry the database a few times", alive=ingest)
        for process in (worker, beat, ingest):
            assert process.proc.poll() is None, process.output()[-3000:]
    finally:
        chaos_postgres.start()

    while not traffic.done:
        traffic.write(SLICE)
    wait_all_read(hub, directory, timeout=120, alive=ingest)
    wait_all_delivered(hub, timeout=120, alive=worker)
    for process in (worker, beat, ingest):
        assert process.proc.poll() is None, process.output()[-3000:]
    assert "database reachable again" in ingest.output()
    assert hub.scalar("SELECT count(*) FROM hub_call") == N_CALLS
    assert_delivered_once_each_in_order(hub, receiver)
