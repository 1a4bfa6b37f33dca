"""Under gunicorn every worker process counts in its own files (PROMETHEUS_MULTIPROC_DIR) and
/metrics, whichever worker answers it, reports their sum; a restart starts the counts afresh."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.delivery_engine.processes import worker_database_url
from tests.metrics.scrape import scrape
from tests.processes import ROOT, _free_port, _wait_for_port, stop_process_group

# Requests sent in bursts until both workers have answered some; a bound, not an expectation.
MAX_BURSTS = 200
BURST = 8


@contextmanager
def gunicorn(*, env: dict, log_path: Path, workers: int = 2):
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "hub.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            # Past gunicorn's own graceful timeout (30 s), so a loaded machine's slow stop still
            # runs the master's exit hook.
            stop_process_group(proc, grace=45)


def _writers(directory: Path) -> set[str]:
    """The pids of the processes that have written counters: counter_<pid>.db."""
    return {path.stem.split("_", 1)[1] for path in directory.glob("counter_*.db")}


def _healthz_until_both_workers_answered(base: str, directory: Path) -> int:
    sent = 0
    with ThreadPoolExecutor(BURST) as pool:
        for _ in range(MAX_BURSTS):
            # A new connection per request, so the workers take turns accepting them.
            answers = list(pool.map(lambda _: requests.get(base + "/healthz", timeout=30).status_code, range(BURST)))
            assert answers == [200] * BURST
            sent += BURST
            if len(_writers(directory)) >= 2:
                return sent
    pytest.fail(f"after {sent} requests only one gunicorn worker had answered")


@pytest.mark.django_db(transaction=True)
def test_two_workers_counts_are_summed_and_a_restart_starts_afresh(tmp_path):
    directory = tmp_path / "prometheus"
    env = {"DATABASE_URL": worker_database_url(), "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    healthz = {"route": "healthz", "method": "GET", "status": "200"}

    with gunicorn(env=env, log_path=tmp_path / "gunicorn.log") as base:
        sent = _healthz_until_both_workers_answered(base, directory)
        # Each scrape is answered by either worker, on a new connection: every one sees the sum.
        scrapes = [scrape(base) for _ in range(6)]
    assert [s.value("hub_http_requests_total", **healthz) for s in scrapes] == [sent] * 6
    assert [s.value("hub_http_request_duration_seconds_count", route="healthz", method="GET") for s in scrapes] == [sent] * 6
    assert len(_writers(directory)) == 2

    with gunicorn(env=env, log_path=tmp_path / "gunicorn.log") as base:
        requests.get(base + "/healthz", timeout=30)
        again = scrape(base)
    assert again.value("hub_http_requests_total", **healthz) == 1


@pytest.mark.django_db(transaction=True)
def test_without_a_directory_gunicorn_makes_its_own_and_removes_it(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"DATABASE_URL": worker_database_url(), "TMPDIR": str(temp)}

    with gunicorn(env=env, log_path=tmp_path / "gunicorn.log") as base:
        (made,) = temp.glob("hub-web-metrics-*")
        requests.get(base + "/healthz", timeout=30)
        assert scrape(base).value("hub_http_requests_total", route="healthz", method="GET", status="200") == 1
        assert list(made.glob("counter_*.db"))
    assert not list(temp.glob("hub-web-metrics-*"))
