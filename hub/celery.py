import os
import sys

from celery import Celery
from celery.signals import (after_setup_logger, after_setup_task_logger, task_postrun, task_prerun, worker_init,
                            worker_process_init, worker_process_shutdown, worker_ready, worker_shutting_down)
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

# redis:// and rediss:// broker URLs get kombu's Redis transport with the fix in hub/broker_redis.py.
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = "hub.broker_redis:Transport"

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_configure.connect
def _settings_or_exit(**_) -> None:
    # Celery first reads the settings while parsing its command line: a missing SECRET_KEY
    # would end the worker or beat in a long traceback instead of the message naming it.
    from hub.env import settings_load_or_exit
    settings_load_or_exit(program="celery")


app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _short_gil_switch_interval(**_) -> None:
    # A delivery pump hands the GIL back and forth between its database round trips and the
    # transport's event loop; at Python's default 5 ms a round trip could wait that long for
    # the GIL after PostgreSQL had answered, several times per batch.
    from django.conf import settings
    sys.setswitchinterval(settings.WORKER_GIL_SWITCH_MICROSECONDS / 1_000_000)


@worker_init.connect
def _serve_metrics(**_) -> None:
    # The worker runs a thread pool (every hub start-up says --pool threads): one process, one port.
    from django.conf import settings

    from hub.metrics.server import metrics_server_start
    metrics_server_start(host=settings.METRICS_HOST, port=settings.METRICS_WORKER_PORT, process="worker")


@worker_ready.connect
@worker_process_init.connect
def _freeze_startup_objects(**_) -> None:
    from hub.gc_startup import startup_objects_freeze
    startup_objects_freeze()


@worker_shutting_down.connect
@worker_process_shutdown.connect
def _finish_deliveries_in_flight(**_) -> None:
    # A warm shutdown (SIGTERM) lets the delivery engine record the requests it has in flight
    # (bounded by the longest endpoint timeout) instead of leaving them to the sweeper.
    from hub.services.delivery.engine import ENGINE
    ENGINE.stop(timeout=35)


@task_prerun.connect
def _task_log_scope(task_id=None, **_) -> None:
    # Every line a task writes (a pump's attempts) carries its task id as the request id.
    from hub.logs.context import log_scope_start
    log_scope_start(request_id=task_id)


@task_postrun.connect
def _task_log_scope_end(**_) -> None:
    from hub.logs.context import log_scope_start
    log_scope_start()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _structured_lines(logger, **_) -> None:
    # The worker and beat replace the handlers settings.LOGGING gave the root logger with their
    # own: those write the hub's lines too (LOG_FORMAT, each record's fields, its task's id).
    from django.conf import settings

    from hub.logs.context import ContextFields
    from hub.logs.formatters import line_formatter
    for handler in logger.handlers:
        handler.setFormatter(line_formatter(settings.LOG_FORMAT))
        handler.addFilter(ContextFields())
