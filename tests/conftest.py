import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("HUB_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str):
    """Skip, or fail when the run promised real services (CI sets HUB_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} — HUB_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not _reachable(url, 6379):
        service_unavailable(f"Redis is not reachable at {url}")
    return url


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    url = os.environ.get("HUB_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
    if not _reachable(url, 5672):
        service_unavailable(f"RabbitMQ is not reachable at {url}")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("HUB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        service_unavailable("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on a free loopback port, for tests that stop and restart it."""
    from tests.services import RedisServer
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# An account named acme with its PBX, for the tests of one account (a folder's conftest may
# define its own).
@pytest.fixture
def account_pbx(db):
    from tests.factories import make_account
    account, pbx, _ = make_account("acme")
    return account, pbx


@pytest.fixture
def account(account_pbx):
    return account_pbx[0]


@pytest.fixture
def pbx(account_pbx):
    return account_pbx[1]
