"""PostgreSQL dies for a minute and comes back while a PBX keeps writing: ingest, the worker and
beat wait for it instead of exiting, then catch up, and every webhook goes out once, in each
call's order; CDR records that reach ingest's socket meanwhile are stored once the database is back."""
import socket
import time
from datetime import datetime

import pytest

from integrations.simulator import generate
from tests.chaos.stack import PBX, assert_delivered_once_each_in_order, steady_traffic_through
from tests.ingest.hub_processes import TZ, wait_for
from tests.services import free_port

pytestmark = pytest.mark.services

# The bar: every long-running process rides out an outage of at least a minute. The
# database stays down this long whatever happens meanwhile; nothing is timed.
OUTAGE_SECONDS = 60
# The PBX writes a slice this often while the database is down, so the middle third of the
# traffic spreads over the whole outage instead of arriving in its first second.
OUTAGE_WRITE_EVERY = 8


def test_processes_ride_out_a_minute_long_postgresql_outage_and_catch_up(hub_on_redis, chaos_postgres, receiver,
                                                                          tmp_path):
    def database_outage(run) -> None:
        chaos_postgres.stop()
        back_at = time.monotonic() + OUTAGE_SECONDS
        next_write = time.monotonic()
        try:
            while time.monotonic() < back_at:
                if time.monotonic() >= next_write:
                    if run.traffic.written < len(run.traffic.lines) * 2 / 3:
                        run.traffic.write()
                    next_write += OUTAGE_WRITE_EVERY
                run.assert_all_running()
                time.sleep(0.5)
            run.traffic.write_up_to(2 / 3)
            # Ingest found the database gone and kept retrying (its log says so at each attempt).
            assert run.ingest.output().count("database unavailable") >= 3, run.ingest.output()[-4000:]
        finally:
            chaos_postgres.start()

    run = steady_traffic_through(hub_on_redis, receiver, tmp_path / "pbx", fault=database_outage)
    assert "database reachable again" in run.ingest.output()
    assert_delivered_once_each_in_order(hub_on_redis, receiver)


def test_cdr_records_received_during_a_postgresql_outage_are_stored_after_it(hub_on_redis, chaos_postgres):
    hub = hub_on_redis
    port = free_port()
    hub.shell("from hub.models import IngestSource, Pbx, SourceKind\n"
              f"IngestSource.objects.create(pbx=Pbx.objects.get(slug={PBX!r}), kind=SourceKind.CDR_SOCKET,"
              f" port={port}, listen_host='127.0.0.1')\n")
    traffic = generate(start=datetime(2025, 3, 1, 8, tzinfo=TZ), n_calls=3, seed=5)
    records = [line.text.encode() + b"\n" for line in traffic if line.stream == "cdr"]
    ingest = hub.ingest()

    def cdr_events() -> int:
        return hub.scalar("SELECT count(*) FROM hub_storedpbxevent WHERE source = 'cdr'")

    wait_for(lambda: _listening(port), timeout=60, what="the CDR socket", alive=ingest)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as pbx:
        pbx.sendall(records[0])
        wait_for(lambda: cdr_events() == 1, timeout=60, what="the first record stored", alive=ingest)
        chaos_postgres.stop()
        try:
            pbx.sendall(b"".join(records[1:]))  # received while nothing can store them
            wait_for(lambda: ingest.output().count("CDR socket source") >= 2, timeout=60, interval=0.2,
                     what="the socket's store to be retried", alive=ingest)
        finally:
            chaos_postgres.start()
        wait_for(lambda: cdr_events() == len(records), timeout=60, interval=0.5,
                 what="every record stored", alive=ingest)
    assert ingest.terminate() == 0


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False
