"""`./hubctl run` for real, as on a fresh clone: a new var dir, a free port, nothing but PATH and HOME.

The curl lines it prints are pasted (the request each describes is sent), a killed child comes
back, and `./hubctl manage` works on the same settings.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Generous: a fresh SQLite database is migrated first, on a machine that may be busy.
WAIT_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Run:
    """A running `./hubctl run` whose output is collected line by line (and kept in a log file)."""

    def __init__(self, *, var_dir: Path, port: int) -> None:
        self.env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
                    "LANG": "C.UTF-8", "HUB_VAR_DIR": str(var_dir)}
        self.lines: list[str] = []
        self.log = open(var_dir.parent / "run.log", "w")
        self.process = subprocess.Popen([str(ROOT / "hubctl"), "run", "--port", str(port)], cwd=ROOT, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.log.write(line)
            self.log.flush()

    def wait_for(self, pattern: str, *, after: int = 0) -> tuple[int, re.Match]:
        """The first line from index ``after`` on matching ``pattern``: its index and match."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            for index in range(after, len(self.lines)):
                match = re.search(pattern, self.lines[index])
                if match:
                    return index, match
            assert self.process.poll() is None, f"the run ended ({self.process.returncode}); see {self.log.name}"
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r}; see {self.log.name}")

    def latest_start(self, name: str) -> tuple[int, int]:
        """The line that says the child ``name`` started most recently, and its pid."""
        self.wait_for(rf"^started {name} ")
        for index in range(len(self.lines) - 1, -1, -1):
            match = re.search(rf"^started {name} \(pid (\d+)\)", self.lines[index])
            if match:
                return index, int(match.group(1))
        raise AssertionError(f"{name} never started")

    def pids(self) -> set[int]:
        return {int(m.group(1)) for line in self.lines if (m := re.search(r"^started \w+ \(pid (\d+)\)", line))}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.pids():  # whatever a failed run left behind
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.log.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo") / "var"
    run = Run(var_dir=var_dir, port=_free_port())
    try:
        run.wait_for(r"^  running: ")
        yield run
    finally:
        run.stop()


def _curl_lines(run: Run) -> dict[str, str]:
    banner_start, _ = run.wait_for(r"^PBX webhook hub: ")
    lines = [line.strip() for line in run.lines[banner_start:] if line.strip().startswith("curl ")]
    return {"history": lines[0], "click": lines[1]}


def paste(line: str) -> tuple[int, dict]:
    """Send the request a printed curl line describes; refuse any option the banner should not use."""
    argv = shlex.split(line)
    assert argv[0] == "curl"
    headers, form, url = {}, [], None
    args = iter(argv[1:])
    for arg in args:
        if arg == "-sS":
            continue
        if arg == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            form.append(next(args))
        elif not arg.startswith("-") and url is None:
            url = arg
        else:
            raise AssertionError(f"unexpected curl argument {arg!r} in {line!r}")
    data = "&".join(form).encode() if form else None
    if data is not None:  # what curl -d sends
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_printed_call_history_line_answers_200(demo):
    status, body = paste(_curl_lines(demo)["history"])
    assert status == 200, body
    assert body["status"] == "success" and isinstance(body["data"], list)


def test_printed_click_to_call_line_is_accepted_with_its_national_number(demo):
    status, body = paste(_curl_lines(demo)["click"])
    assert status == 202, body  # click-to-call answers "accepted": the call is placed afterwards
    assert body["data"]["number_to_call"] == "+61355501234" and body["data"]["pbx"] == "demo-pbx"


def test_banner_names_the_api_key_and_the_api_docs_which_answer(demo):
    start, _ = demo.wait_for(r"^PBX webhook hub: ")
    banner = "\n".join(demo.lines[start:start + 12])
    key = re.search(r"API key\s+(pbxh_\S+)", banner).group(1)
    assert key in _curl_lines(demo)["history"]
    docs = re.search(r"API docs\s+(http://\S+)", banner).group(1)
    with urllib.request.urlopen(docs, timeout=30) as response:
        assert response.status == 200


def test_a_killed_child_is_restarted(demo):
    for name in ("worker", "web"):
        index, pid = demo.latest_start(name)
        os.kill(pid, signal.SIGKILL)
        said, notice = demo.wait_for(rf"^{name} exited \(code -9, SIGKILL\); restarting it in ([\d.]+) s$",
                                     after=index)
        assert float(notice.group(1)) > 0
        _, again = demo.wait_for(rf"^started {name} \(pid (\d+)\)", after=said)
        assert int(again.group(1)) != pid
    # The restarted web server answers the printed line again.
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            status, _ = paste(_curl_lines(demo)["history"])
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, "the restarted web server never answered"
            time.sleep(0.5)
    assert status == 200


def test_hubctl_manage_uses_the_run_settings(demo):
    var_dir = Path(demo.env["HUB_VAR_DIR"])
    local_env = (var_dir / "local.env").read_text()

    def manage(*args):
        return subprocess.run([str(ROOT / "hubctl"), "manage", *args], cwd=ROOT, env=demo.env,
                              capture_output=True, text=True, timeout=120)

    added = manage("whitelist_ip", "--account", "demo", "203.0.113.7")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added 203.0.113.7/32 for demo"
    again = manage("whitelist_ip", "--account", "demo", "203.0.113.7")
    assert again.stdout.strip() == "already whitelisted 203.0.113.7/32 for demo"
    assert (var_dir / "local.env").read_text() == local_env


def test_the_demo_accounts_deliveries_reach_the_demo_receiver(demo):
    _, match = demo.wait_for(r"^  webhooks .* the demo receiver, (http://127\.0\.0\.1:\d+)/ ")
    deadline = time.monotonic() + WAIT_SECONDS
    while True:  # the simulator's calls become catalogue events, then deliveries
        try:
            with urllib.request.urlopen(match.group(1) + "/", timeout=30) as response:
                received = json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            received = {"requests": 0}
        if received["requests"]:
            break
        assert time.monotonic() < deadline, f"the demo receiver got nothing; see {demo.log.name}"
        time.sleep(2)
    assert any(item["webhook_id"] and item["path"] == "/webhooks" for item in received["last"])
