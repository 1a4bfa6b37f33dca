"""Real hub processes started by tests (Celery workers, manage.py commands), always cleaned up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def celery_worker(*, broker_url: str, result_backend: str | None = None, queue: str = "celery",
                  extra_env: dict | None = None, log_path: Path | None = None):
    env = {**os.environ, "CELERY_BROKER_URL": broker_url, **(extra_env or {})}
    if result_backend:
        env["CELERY_RESULT_BACKEND"] = result_backend
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hub", "worker", "--pool", "solo", "--queues", queue,
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log_path:
            log.close()
