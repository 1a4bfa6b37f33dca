"""A real worker's log holds no credential, in its lines or its tracebacks."""
import secrets
import uuid

from celery import Celery

from tests.ingest.hub_processes import wait_for
from tests.processes import celery_worker


def test_a_failing_task_logs_its_traceback_with_the_credential_masked(tmp_path):
    # An API-key-shaped argument the task fails on: Django's ValueError quotes it, so the
    # worker's "raised unexpected" line and the traceback's last line both carry it.
    key = f"pbxh_{secrets.token_hex(4)}_{secrets.token_urlsafe(24)}"
    token = secrets.token_urlsafe(24)
    broker = f"sqla+sqlite:///{tmp_path}/broker.sqlite3"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    client = Celery("hub-test-client", broker=broker)
    client.conf.update(task_serializer="json", accept_content=["json"])
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/hub.sqlite3", "HUB_VAR_DIR": str(tmp_path)}
    with celery_worker(broker_url=broker, queue=queue, extra_env=env, log_path=log) as worker:
        client.send_task("hub.deliver", args=[key], queue=queue)
        # A message no task of this hub reads: the worker logs its whole body, push URL and all.
        client.send_task("hub.retired_task", kwargs={"url": f"http://127.0.0.1/ingest/events/{token}/"}, queue=queue)
        wait_for(lambda: "Traceback" in log.read_text() and "hub.retired_task" in log.read_text(), timeout=60,
                 interval=0.2, what="the worker to log the failure and the unknown message")
        assert worker.poll() is None
    client.close()

    text = log.read_text()
    assert key not in text and token not in text
    # The lines are there, masked.
    assert "raised unexpected" in text and "ValueError: Field 'id' expected a number but got 'pbxh_***'" in text
    assert "/ingest/events/***" in text
