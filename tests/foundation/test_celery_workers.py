"""A real worker process on each production broker runs a hub task to completion."""
import uuid

import pytest
from celery import Celery

from tests.processes import celery_worker


def _round_trip(broker_url: str, backend: str, tmp_path) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    client = Celery("hub-test-client", broker=broker_url, backend=backend)
    client.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    with celery_worker(broker_url=broker_url, result_backend=backend, queue=queue, log_path=tmp_path / "worker.log"):
        result = client.send_task("hub.ping", args=["hello from the test"], queue=queue)
        try:
            assert result.get(timeout=60) == "hello from the test"
        except Exception:
            print((tmp_path / "worker.log").read_text(errors="replace")[-4000:])
            raise
    client.close()


@pytest.mark.services
def test_worker_completes_a_task_over_redis(redis_url, tmp_path):
    _round_trip(redis_url, redis_url, tmp_path)


@pytest.mark.services
def test_worker_completes_a_task_over_rabbitmq(rabbitmq_url, tmp_path):
    _round_trip(rabbitmq_url, "rpc://", tmp_path)


def test_worker_completes_a_task_over_the_embedded_sqlite_broker(tmp_path):
    """The default of `./hubctl run`: no server, broker and results in SQLite files."""
    _round_trip(f"sqla+sqlite:///{tmp_path}/broker.sqlite3", f"db+sqlite:///{tmp_path}/results.sqlite3", tmp_path)
