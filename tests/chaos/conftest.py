import pytest

from tests.chaos.stack import Hub, template_create
from tests.delivery_engine.receiver import receiver  # noqa: F401 (a fixture)
from tests.services import PostgresServer


@pytest.fixture(scope="session")
def chaos_postgres():
    """One private cluster for the chaos tests (the database-restart test stops it): each test
    copies the migrated template into a database of its own."""
    server = PostgresServer()
    try:
        server.start()
        template_create(server)
        yield server
    finally:
        server.remove()


@pytest.fixture
def hub_on_redis(chaos_postgres, redis_server, tmp_path):
    hub = Hub(postgres=chaos_postgres, tmp_path=tmp_path, broker_url=redis_server.url)
    yield hub
    hub.close()
