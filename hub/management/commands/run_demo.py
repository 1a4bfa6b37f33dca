"""Start web, worker, beat, ingest and the PBX simulator together, restart any that dies, stop
them all on Ctrl-C; print how to sign in and how to call the API."""
from __future__ import annotations

import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hub.services.demo import DemoLogin, demo_ensure, demo_receiver_ensure
from hub.supervisor import Supervisor

# The banner waits this long at most for the web server to listen, so its curl lines work when shown.
LISTEN_WAIT_SECONDS = 60
# The user and number the printed click-to-call line uses: an extension of the simulated office,
# and an Australian national number (the demo PBX's default region makes it +61355501234).
DEMO_USER = "101"
DEMO_NUMBER = "0355501234"


def _processes(host: str, port: int, pbx: str, receiver_port: int) -> dict[str, list[str]]:
    python, manage = sys.executable, str(settings.BASE_DIR / "manage.py")
    celery = [python, "-m", "celery", "-A", "hub"]
    return {
        "web": [python, manage, "runserver", f"{host}:{port}", "--noreload"],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--pool", "threads", "--concurrency", "16"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        "ingest": [python, manage, "ingest"],
        "simulator": [python, manage, "simulate_pbx", "--pbx", pbx,
                      "--dir", str(settings.VAR_DIR / "simulator" / pbx), "--calls-per-minute", "6"],
        # The demo account's webhooks go here (hub/demo_receiver.py).
        "receiver": [python, manage, "demo_receiver", "--port", str(receiver_port)],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable_host(host: str) -> str:
    # A server listening on every address is reached on loopback from this machine.
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


def _base_url(host: str, port: int) -> str:
    host = _reachable_host(host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _wait_until_listening(*, host: str, port: int, supervisor: Supervisor, stopping: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LISTEN_WAIT_SECONDS
    while time.monotonic() < deadline and supervisor.running("web") and not stopping():
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)


def _metrics_urls(base: str) -> list[str]:
    """Prometheus scrapes the web server's /metrics and the worker's and ingest's own ports."""
    host = _reachable_host(settings.METRICS_HOST)
    ports = [("worker", settings.METRICS_WORKER_PORT), ("ingest", settings.METRICS_INGEST_PORT)]
    return [f"{base}/metrics"] + [f"{_base_url(host, port)}/metrics ({name})" for name, port in ports if port]


def banner(*, login: DemoLogin, base: str, running: list[str], receiver: str) -> str:
    auth = f"-H {shlex.quote('token: ' + login.api_key)}"
    history = f"{base}/api/integration/v2/get-user-calls?user_numbers={DEMO_USER}&limit=5"
    return "\n".join([
        "",
        f"PBX webhook hub: {base}/",
        f"  console   sign in as {login.email} / {login.password}",
        f"  API key   {login.api_key}",
        "            (account demo; this machine, 127.0.0.1 and ::1, is on its IP whitelist)",
        f"  API docs  {base}/api/docs/ (OpenAPI schema: {base}/api/schema/)",
        f"  metrics   {', '.join(_metrics_urls(base))}",
        f"  webhooks  the demo account's deliveries go to the demo receiver, {receiver}/ (GET it for what arrived)",
        f"  call history of extension {DEMO_USER}:",
        f"    curl -sS {auth} {shlex.quote(history)}",
        f"  click-to-call: ring extension {DEMO_USER}, then dial {DEMO_NUMBER}:",
        f"    curl -sS {auth} -d user_number={DEMO_USER} -d number_to_call={DEMO_NUMBER} "
        f"{shlex.quote(base + '/api/integration/v2/call-to-number')}",
        f"  running: {', '.join(running)}, each restarted if it dies — press Ctrl-C to stop",
        "",
    ])


class Command(BaseCommand):
    help = "Run the whole hub on this machine (the README's run command calls this)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--receiver-port", type=int, default=0,
                            help="the demo webhook receiver's port on 127.0.0.1 (default: a free one)")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        login = demo_ensure(var_dir=settings.VAR_DIR)
        receiver_port = options["receiver_port"] or _free_port()
        receiver = f"http://127.0.0.1:{receiver_port}"
        demo_receiver_ensure(var_dir=settings.VAR_DIR, base_url=receiver)
        processes = _processes(options["host"], options["port"], login.pbx, receiver_port)
        # Recording links point at this web server (its children read the environment).
        os.environ.setdefault("HUB_PUBLIC_URL", _base_url(_reachable_host(options["host"]), options["port"]))
        supervisor = Supervisor(processes, say=self._say)
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        supervisor.start_all()
        _wait_until_listening(host=_reachable_host(options["host"]), port=options["port"], supervisor=supervisor,
                              stopping=lambda: stopping)
        if not stopping:
            self._say(banner(login=login, base=_base_url(options["host"], options["port"]), running=list(processes),
                             receiver=receiver))
        supervisor.run(stopping=lambda: stopping)
        supervisor.stop_all()
        self._say("all processes stopped")

    def _say(self, text: str) -> None:
        # Flushed at once: the run's output is often piped (a log file, a test reading it).
        self.stdout.write(text)
        self.stdout.flush()
