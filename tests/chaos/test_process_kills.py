"""A worker or ingest SIGKILLed while a PBX keeps writing, then started again (as systemd or a
compose restart policy does): nothing is lost, no event goes out under two webhook-ids, and each
call's events arrive in order. A repeat of an interrupted request keeps its webhook-id."""
import pytest

from tests.chaos.stack import assert_delivered_once_each_in_order, steady_traffic_through

pytestmark = pytest.mark.services


def test_a_killed_worker_restarted_loses_nothing(hub_on_redis, receiver, tmp_path):
    def worker_kill(run) -> None:
        run.worker.kill()  # mid-stream: deliveries it had claimed stay claimed until the sweeper takes them back
        run.traffic.write_up_to(2 / 3)
        run.worker.start()

    steady_traffic_through(hub_on_redis, receiver, tmp_path / "pbx", fault=worker_kill)
    assert_delivered_once_each_in_order(hub_on_redis, receiver)


def test_a_killed_ingest_restarted_loses_nothing(hub_on_redis, receiver, tmp_path):
    def ingest_kill(run) -> None:
        run.ingest.kill()  # the batch it was in rolls back with its file positions
        run.traffic.write_up_to(2 / 3)
        run.ingest.start()

    steady_traffic_through(hub_on_redis, receiver, tmp_path / "pbx", fault=ingest_kill)
    assert_delivered_once_each_in_order(hub_on_redis, receiver)
