# Read by gunicorn from the directory it starts in (this one, and /app in the image).
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
    os.environ["HUB_METRICS_DIR_OWNED"] = "1"  # survives a reload, which reads this file again


def on_starting(server):
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # A previous run's files would add its counts to this run's, as if they had happened again.
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    # The dead worker's counters stay counted; only its live gauges go.
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("HUB_METRICS_DIR_OWNED"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
