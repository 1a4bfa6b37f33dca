"""Start web, worker, beat, ingest and the PBX simulator together; stop them all on Ctrl-C."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _processes(host: str, port: int, pbx: str) -> dict[str, list[str]]:
    python, manage = sys.executable, str(settings.BASE_DIR / "manage.py")
    celery = [python, "-m", "celery", "-A", "hub"]
    processes = {
        "web": [python, manage, "runserver", f"{host}:{port}", "--noreload"],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--pool", "threads", "--concurrency", "16"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
    }
    from django.core.management import get_commands

    # Ingest and the simulator join as soon as their commands exist in this checkout.
    if "ingest" in get_commands():
        processes["ingest"] = [python, manage, "ingest"]
    if "simulate_pbx" in get_commands():
        processes["simulator"] = [python, manage, "simulate_pbx", "--pbx", pbx,
                                  "--dir", str(settings.VAR_DIR / "simulator" / pbx), "--calls-per-minute", "6"]
    return processes


class Command(BaseCommand):
    help = "Run the whole hub on this machine (the README's run command calls this)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        out = StringIO()
        call_command("demo_setup", stdout=out)
        login = json.loads(out.getvalue())
        children = {name: subprocess.Popen(cmd, start_new_session=True)
                    for name, cmd in _processes(options["host"], options["port"], login["pbx"]).items()}
        self.stdout.write(self.style.SUCCESS(
            f"\nPBX webhook hub: http://{options['host']}:{options['port']}/\n"
            f"  sign in as {login['email']} / {login['password']}\n"
            f"  running: {', '.join(children)} — press Ctrl-C to stop\n"))
        self._supervise(children)

    def _supervise(self, children: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            exited = [name for name, proc in children.items() if proc.poll() is not None]
            if exited:
                self.stderr.write(f"{', '.join(exited)} exited; stopping the others")
                break
            time.sleep(0.5)
        self._stop_all(children)

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for proc in children.values():
            if proc.poll() is None:
                # The leader only: Celery stops its own pool children in order.
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.stdout.write("all processes stopped")
