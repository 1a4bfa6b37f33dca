"""Private PostgreSQL, Redis and RabbitMQ servers on free loopback ports, for tests that stop
and restart them. The machine's shared services are never touched: other test runs use them.

Each server starts in a fresh temporary directory, and `stop()` kills it hard (no shutdown
save, no goodbye to clients), as a crash or an OOM kill would; `start()` again brings the same
data directory back on the same port.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import service_unavailable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, *, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}) before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def _kill_group(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class RedisServer:
    """Our own redis-server on a loopback port: restarted by tests, never the shared one."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("redis-server is not installed")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # no shutdown save: whatever was queued is gone
            self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path is None:
        service_unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return Path(on_path).parent


class PostgresServer:
    """A throw-away PostgreSQL cluster (trust auth, fsync off) owned by a temporary directory.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user and
    every server command runs through `runuser`.
    """

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="hub-test-pg-"))
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                service_unavailable("running as root needs runuser to start PostgreSQL as `postgres`")
            shutil.chown(self.directory, user="postgres")
            self._as_owner = [runuser, "-u", "postgres", "--"]
        self._pg(["initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg(self, command: list[str]) -> None:
        done = subprocess.run([*self._as_owner, str(self.bin / command[0]), *command[1:]], cwd="/",
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(["pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"), "-w", "-t", "60",
                  "-o", options, "start"])

    def stop(self) -> None:
        """Immediate mode: the server drops every connection at once, as a crash would."""
        if (self.data / "postmaster.pid").exists():
            self._pg(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def execute(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


class RabbitMQServer:
    """Its own Erlang node (hubtest-<port>@localhost), config, cookie and data in a temporary
    directory; the machine's RabbitMQ (and its config file) stay out of it."""

    def __init__(self) -> None:
        self.binary = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
        if not self.binary.exists():
            found = shutil.which("rabbitmq-server")
            if found is None:
                service_unavailable("rabbitmq-server is not installed")
            self.binary = Path(found)
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="hub-test-rabbitmq-"))
        (self.directory / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(self.directory),  # the Erlang cookie goes here
            "RABBITMQ_NODENAME": f"hubtest-{self.port}@localhost",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.directory / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> None:
        log = open(self.directory / "server.out", "ab")
        self.proc = subprocess.Popen([str(self.binary)], cwd=self.directory, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        _wait_listening(self.port, timeout=90, what="rabbitmq-server", proc=self.proc)

    def stop(self) -> None:
        _kill_group(self.proc)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
