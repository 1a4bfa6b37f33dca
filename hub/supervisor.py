"""Keep a set of child processes running: restart one that dies, with backoff, and say so.

`./hubctl run` starts the whole hub this way. Production leaves this to systemd or the
container runtime; here a crashed worker would otherwise stop deliveries until someone
noticed, or (as before) take the other processes down with it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A child that ran this long before it died was healthy: it is restarted after FIRST_DELAY
# again, while one dying at start-up waits twice as long each time, up to MAX_DELAY.
STABLE_AFTER = 60.0
POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 10.0


def exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"code {code}, {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"code {code}"


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = 0.0  # the wait before the next restart
    restart_at: float | None = None  # set while the child is dead and waiting


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], *, say: Callable[[str], None]) -> None:
        self.children = [Child(name, command) for name, command in commands.items()]
        self.say = say

    def start_all(self) -> None:
        for child in self.children:
            self._start(child)

    def run(self, *, stopping: Callable[[], bool]) -> None:
        """Watch the children until ``stopping()`` is true; then the caller calls stop_all()."""
        while not stopping():
            now = time.monotonic()
            for child in self.children:
                if child.restart_at is None and child.process.poll() is not None:
                    self._schedule_restart(child, now=now)
                elif child.restart_at is not None and now >= child.restart_at:
                    self._start(child)
            time.sleep(POLL_SECONDS)

    def running(self, name: str) -> bool:
        child = next(c for c in self.children if c.name == name)
        return child.restart_at is None and child.process.poll() is None

    def stop_all(self) -> None:
        running = [c.process for c in self.children if c.restart_at is None and c.process.poll() is None]
        for process in running:
            # The leader only: Celery stops its own pool children in order.
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.wait()

    def _start(self, child: Child) -> None:
        # Its own session, so Ctrl-C in the terminal reaches the supervisor only, which then
        # stops the children in order.
        child.process = subprocess.Popen(child.command, start_new_session=True)
        child.started_at, child.restart_at = time.monotonic(), None
        self.say(f"started {child.name} (pid {child.process.pid})")

    def _schedule_restart(self, child: Child, *, now: float) -> None:
        # Whatever the dead leader left in its group (a pool process) could hold its port.
        _kill_group(child.process)
        healthy = now - child.started_at >= STABLE_AFTER
        child.delay = FIRST_DELAY if healthy or not child.delay else min(child.delay * 2, MAX_DELAY)
        child.restart_at = now + child.delay
        self.say(f"{child.name} exited ({exit_description(child.process.returncode)}); "
                 f"restarting it in {child.delay:g} s")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
