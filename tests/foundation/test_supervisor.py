"""hub.supervisor with real child processes: restarts, the backoff it says, a clean stop."""
import sys

import pytest

from hub import supervisor as module
from hub.supervisor import Supervisor


@pytest.fixture(autouse=True)
def short_delays(monkeypatch):
    monkeypatch.setattr(module, "FIRST_DELAY", 0.05)
    monkeypatch.setattr(module, "POLL_SECONDS", 0.01)


def test_a_child_that_keeps_dying_is_restarted_with_a_doubling_delay():
    said: list[str] = []
    crash = Supervisor({"crasher": [sys.executable, "-c", "raise SystemExit(3)"]}, say=said.append)
    crash.start_all()
    crash.run(stopping=lambda: sum("exited" in line for line in said) >= 4)
    crash.stop_all()
    notices = [line for line in said if "exited" in line]
    assert notices == [f"crasher exited (code 3); restarting it in {delay:g} s" for delay in (0.05, 0.1, 0.2, 0.4)]
    starts = [line for line in said if line.startswith("started crasher (pid ")]
    assert len(starts) == 4  # the first start and three restarts; the fourth is still waiting


def test_a_child_that_had_run_long_enough_waits_the_first_delay_again(monkeypatch):
    monkeypatch.setattr(module, "STABLE_AFTER", 0.0)  # every run counts as healthy
    said: list[str] = []
    crash = Supervisor({"crasher": [sys.executable, "-c", "raise SystemExit(1)"]}, say=said.append)
    crash.start_all()
    crash.run(stopping=lambda: sum("exited" in line for line in said) >= 3)
    crash.stop_all()
    assert [line.rsplit(" in ", 1)[1] for line in said if "exited" in line] == ["0.05 s"] * 3


def test_stop_all_ends_running_children_and_one_that_ignores_sigterm(monkeypatch):
    monkeypatch.setattr(module, "STOP_GRACE_SECONDS", 1.0)
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    children = Supervisor({"sleeper": [sys.executable, "-c", "import time; time.sleep(600)"],
                           "stubborn": [sys.executable, "-c", stubborn]}, say=lambda text: None)
    children.start_all()
    children.stop_all()
    assert [child.process.poll() is not None for child in children.children] == [True, True]


def test_signal_exits_are_named():
    assert module.exit_description(-9) == "code -9, SIGKILL"
    assert module.exit_description(2) == "code 2"
