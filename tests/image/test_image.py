"""The hub's image, built and run here the way the README says: deploy/image/build (buildah,
no Docker engine, on a Debian bookworm base made with mmdebstrap) and deploy/image/run (web,
worker, beat and ingest, each in a buildah container with the host's network) against this
machine's PostgreSQL and Redis.

The first build on a machine takes minutes (the base, then pip); later ones reuse the cached
base and layers and take seconds.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from tests.conftest import _reachable, service_unavailable
from tests.delivery_engine.receiver import Receiver
from tests.ingest.hub_processes import free_port, wait_for

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/pbx-webhook-hub:test"
IMAGE_USER_UID = 10001  # Dockerfile: useradd --uid 10001 hub
TEST_TOOLS = {"pytest", "pytest-django", "playwright", "schemathesis", "hypothesis"}


def _script(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "deploy/image" / args[0]), *args[1:]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _base_env() -> dict[str, str]:
    """Only what the scripts need from here: the test run's own settings (tests.hub_env) are
    not the image's, and deploy/image/run passes on every hub setting it finds."""
    return {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}


@pytest.fixture(scope="module")
def image() -> str:
    if os.geteuid() != 0 and not shutil.which("sudo"):
        service_unavailable("building the image needs root (buildah's storage) and there is no sudo")
    tools = _script("build", "--tools", env=_base_env(), timeout=900)
    if tools.returncode != 0:
        service_unavailable(f"buildah and mmdebstrap cannot be installed here: {tools.stderr.strip()[-500:]}")
    built = _script("build", IMAGE, env=_base_env(), timeout=3600)
    assert built.returncode == 0, f"deploy/image/build failed:\n{built.stderr[-4000:]}"
    return IMAGE


@pytest.fixture(scope="module")
def database_url() -> str:
    """A database of this test's own on the PostgreSQL the suite uses, dropped before and after."""
    test_url = os.environ.get("HUB_TEST_DATABASE_URL", "")
    server = test_url if test_url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"
    if not _reachable(server, 5432):
        service_unavailable(f"PostgreSQL is not reachable at {server}")
    admin = urlsplit(server)._replace(path="/postgres").geturl()

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS hub_image_test WITH (FORCE)")

    drop()
    yield urlsplit(server)._replace(path="/hub_image_test").geturl()
    drop()


@pytest.fixture(scope="module")
def hub(image, database_url, redis_url, tmp_path_factory):
    """deploy/image/run: migrate, then web, worker, beat and ingest from the image."""
    run_dir = tmp_path_factory.mktemp("image-run")
    port = free_port()
    env = _base_env() | {
        "HUB_IMAGE": image, "HUB_IMAGE_RUN_DIR": str(run_dir), "HUB_BIND": f"127.0.0.1:{port}",
        "DATABASE_URL": database_url, "CELERY_BROKER_URL": redis_url,
        # The receiver is on loopback, which production keeps out of reach.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "WEB_CONCURRENCY": "2", "WORKER_CONCURRENCY": "4",
    }
    log = open(run_dir / "run.log", "wb")
    proc = subprocess.Popen([str(ROOT / "deploy/image/run")], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def logs() -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted(run_dir.glob("*.log")))

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"deploy/image/run exited ({proc.returncode}):\n{logs()}")
        try:
            return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still starting its workers
            return False

    try:
        wait_for(ready, timeout=300, interval=1, what="/readyz from the image's web process")
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "pid": proc.pid, "logs": logs}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the script stops its four processes and removes their containers
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _manage(hub, *args: str) -> str:
    done = _script("run", "manage", *args, env=hub["env"], timeout=300)
    assert done.returncode == 0, f"manage.py {args[0]} in the image failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_image_serves_ready_and_delivers_a_pushed_event(hub):
    assert requests.get(f"{hub['url']}/readyz", timeout=10).json()["status"] == "ok"

    created = json.loads(_manage(hub, "create_account", "--name", "Image Test", "--pbx", "Main",
                                 "--timezone", "Australia/Melbourne", "--json").strip().splitlines()[-1])
    _manage(hub, "whitelist_ip", "--account", created["account"], "127.0.0.1")

    receiver = Receiver().start()
    try:
        reply = requests.post(f"{hub['url']}/api/v1/webhooks", headers={"Token": created["api_key"]}, timeout=30,
                              json={"url": f"{receiver.url}/hook", "dialect": "json", "triggers": ["user_inbound"]})
        assert reply.status_code == 201, reply.text
        secret = reply.json()["data"]["signing_secret"]

        events = [
            {"id": "img-1", "kind": "call.incoming", "occurred_at": "2025-03-01T09:14:22+11:00",
             "pbx_call_id": "4521", "data": {"caller_number": "+61390001234", "did": "+61386001000"}},
            {"id": "img-2", "kind": "user.ringing", "occurred_at": "2025-03-01T09:14:23+11:00",
             "pbx_call_id": "4521", "data": {"user": "102"}},
        ]
        pushed = requests.post(f"{hub['url']}/ingest/events/{created['pbx_token']}/", json=events, timeout=30)
        assert pushed.json() == {"status": "accepted", "received": 2, "stored": 2, "duplicates": 0}

        try:
            wait_for(lambda: receiver.requests, timeout=120, interval=0.5, what="the delivery at the receiver")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{hub['logs']()}") from None
    finally:
        receiver.stop()
    delivered = receiver.requests[0]
    body = json.loads(delivered.verify(secret))
    assert (delivered.path, body["type"], body["user_number"], body["caller_id"]) == \
        ("/hook", "user_inbound", "102", "+61390001234")


def _descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid …": the command may hold spaces, so split after it.
            parents[int(stat.parent.name)] = int(stat.read_text().rpartition(")")[2].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_the_hub_processes_run_as_the_images_user(hub):
    found: dict[str, set[int]] = {}
    for pid in _descendants(hub["pid"]):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        for process, marker in {"web": "gunicorn hub.wsgi", "worker": "celery -A hub worker",
                                "beat": "celery -A hub beat", "ingest": "manage.py ingest"}.items():
            if marker in command and "entrypoint" not in command:
                found.setdefault(process, set()).add(uid)
    assert found == {process: {IMAGE_USER_UID} for process in ("web", "worker", "beat", "ingest")}


def test_the_image_holds_the_run_time_requirements_only(image):
    container = subprocess.run(["buildah", "from", "--pull-never", image], capture_output=True, text=True,
                               check=True).stdout.strip()
    try:
        listed = subprocess.run(["buildah", "run", "--isolation", "chroot", container, "--",
                                 "pip", "list", "--format", "json"], capture_output=True, text=True, check=True)
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=True)
    installed = {package["name"].lower() for package in json.loads(listed.stdout)}
    assert {"django", "celery", "gunicorn", "psycopg"} <= installed
    assert not installed & TEST_TOOLS
    wanted = {line.split("==")[0].strip().lower().replace("_", "-")
              for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    # The venv's own pip (and setuptools on older bases) aside, nothing beyond requirements.txt.
    assert {name.replace("_", "-") for name in installed} - wanted <= {"pip", "setuptools"}
