"""PostgreSQL dies and comes back while a PBX keeps writing: ingest, the worker and beat wait
for it instead of exiting, then catch up, and every webhook goes out once, in each call's order."""
import pytest

from tests.chaos.stack import assert_delivered_once_each_in_order, steady_traffic_through
from tests.ingest.hub_processes import wait_for

pytestmark = pytest.mark.services


def test_processes_ride_out_a_postgresql_restart_and_catch_up(hub_on_redis, chaos_postgres, receiver, tmp_path):
    def database_restart(run) -> None:
        chaos_postgres.stop()
        try:
            # The PBX goes on writing; ingest finds the database gone and keeps retrying.
            run.traffic.write_up_to(2 / 3)
            wait_for(lambda: run.ingest.output().count("database unavailable") >= 3, timeout=60, interval=0.2,
                     what="ingest to retry the database a few times", alive=run.ingest)
            run.assert_all_running()
        finally:
            chaos_postgres.start()

    run = steady_traffic_through(hub_on_redis, receiver, tmp_path / "pbx", fault=database_restart)
    assert "database reachable again" in run.ingest.output()
    assert_delivered_once_each_in_order(hub_on_redis, receiver)
