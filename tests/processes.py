"""Real hub processes started by tests (Celery workers, manage.py commands), always cleaned up."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
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
        stop_process_group(proc)
        if log_path:
            log.close()


def stop_process_group(proc: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM the process's group (as systemd stops a unit), SIGKILL it if it is still there
    after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the web server exited with {proc.returncode} before listening")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the web server did not listen on port {port} within {timeout} s")


# The two ways the hub's web process runs: the README's production command and the demo's.
WEB_SERVERS = {
    "gunicorn": lambda port: [sys.executable, "-m", "gunicorn", "hub.wsgi:application", "--bind",
                              f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
    "runserver": lambda port: [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
}


@contextmanager
def web_server(kind: str, *, env: dict, log_path: Path):
    """``kind`` (a WEB_SERVERS key) serving the hub on a free loopback port: yields its base URL.
    Everything it writes goes to ``log_path``, complete once the context is left."""
    port = _free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(WEB_SERVERS[kind](port), cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process_group(proc)
