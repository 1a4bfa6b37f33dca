"""docker-compose.yml starts the image's processes by the names deploy/image/run uses, so what
is checked here with buildah is what compose runs."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LONG_RUNNING = {"web", "worker", "beat", "ingest"}


def _hub_services() -> dict[str, dict]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {name: service for name, service in services.items() if service.get("build")}


def test_compose_runs_the_processes_the_run_script_starts():
    run_script = (ROOT / "deploy/image/run").read_text()
    started = set(re.search(r"for process in ([a-z ]+); do", run_script).group(1).split())
    commands = {name: service["command"] for name, service in _hub_services().items()}

    assert started == LONG_RUNNING
    assert commands == {"migrate": ["migrate"], **{name: [name] for name in LONG_RUNNING}}
    assert "in_image \"$NEW_CONTAINER\" migrate" in run_script


def test_every_compose_command_is_a_process_of_the_entrypoint():
    entrypoint = (ROOT / "deploy/image/entrypoint").read_text()
    named = set(re.findall(r"^  ([a-z]+)\)$", entrypoint, flags=re.MULTILINE))
    assert {service["command"][0] for service in _hub_services().values()} <= named


def test_long_running_services_restart_and_migrate_runs_once():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {name: service.get("restart") for name, service in services.items()} == {
        "migrate": "no", **{name: "unless-stopped" for name in (*LONG_RUNNING, "postgres", "redis")}}
