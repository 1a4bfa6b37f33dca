"""The broker dies and comes back while a PBX keeps writing: the worker reconnects instead of
exiting, ingest's enqueues fail harmlessly (the deliveries are rows; beat's sweeper re-sends the
wake-ups), and every webhook goes out once, in each call's order."""
import pytest

from tests.chaos.stack import Hub, assert_delivered_once_each_in_order, steady_traffic_through
from tests.services import RabbitMQServer

pytestmark = pytest.mark.services


def test_worker_rides_out_a_redis_restart_under_load(hub_on_redis, redis_server, receiver, tmp_path):
    def redis_restart(run) -> None:
        redis_server.stop()  # no persistence: the queued and unacknowledged messages are gone
        run.traffic.write_up_to(2 / 3)
        redis_server.start()

    run = steady_traffic_through(hub_on_redis, receiver, tmp_path / "pbx", fault=redis_restart)
    assert run.worker.output().count("Connected to redis://") >= 2  # the same worker reconnected
    assert_delivered_once_each_in_order(hub_on_redis, receiver)


def test_worker_rides_out_a_rabbitmq_restart_under_load(chaos_postgres, receiver, tmp_path):
    rabbitmq = RabbitMQServer()
    hub = None
    try:
        rabbitmq.start()
        hub = Hub(postgres=chaos_postgres, tmp_path=tmp_path, broker_url=rabbitmq.url)

        def rabbitmq_restart(run) -> None:
            rabbitmq.stop()  # SIGKILL: the node dies with its connections and transient queues
            run.traffic.write_up_to(2 / 3)
            rabbitmq.start()

        run = steady_traffic_through(hub, receiver, tmp_path / "pbx", fault=rabbitmq_restart)
        assert run.worker.output().count("Connected to amqp://") >= 2  # the same worker reconnected
        assert_delivered_once_each_in_order(hub, receiver)
    finally:
        if hub is not None:
            hub.close()
        rabbitmq.remove()
