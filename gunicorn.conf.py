# Read by gunicorn from the directory it starts in (this one, and /app in the image).
import atexit
import os
import shutil
import tempfile
from pathlib import Path

# Credentials are masked in the access and error logs: a push URL carries its PBX's ingest token.
logger_class = "hub.log_redaction.GunicornLogger"

# Metrics across worker processes (prometheus_client's multiprocess mode): each worker writes its
# counters to files in PROMETHEUS_MULTIPROC_DIR and GET /metrics, in whichever worker answers,
# sums them all. The variable must be set before a worker imports prometheus_client: here, in the
# master. A directory the operator gives (the systemd unit's RuntimeDirectory) is used as it is;
# without one, gunicorn makes its own in the temporary directory and removes it when it stops.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hub-web-metrics-")
    os.environ["HUB_METRICS_DIR_OWNED"] = str(os.getpid())  # survives a reload, which reads this file again

# Imported here, once the directory is set and before any fork, as prometheus_client's docs do:
# imported inside child_exit, the import ran in a signal handler while gunicorn shut down and
# failed ("partially initialized module"), printing a traceback at every stop.
from prometheus_client import multiprocess  # noqa: E402


def _own_directory_remove():
    # The master's only: the workers it forks inherit this exit handler.
    if os.environ.get("HUB_METRICS_DIR_OWNED") == str(os.getpid()):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


# Also on an exit that skips on_exit (gunicorn's "unhandled exception in main loop").
atexit.register(_own_directory_remove)


def on_starting(server):
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # A previous run's files would add its counts to this run's, as if they had happened again.
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    # The dead worker's counters stay counted; only its live gauges go.
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    _own_directory_remove()
