import pytest

from hub.models import Scope
from hub.services.api_keys import api_key_create
from hub.services.access import allowed_network_add
from tests.delivery_engine.receiver import Receiver, receiver  # noqa: F401 (a fixture)


@pytest.fixture
def other_receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def api_key(account):
    allowed_network_add(account=account, address="127.0.0.1")
    _, key = api_key_create(account=account, name="crm", scopes=[Scope.WEBHOOKS_MANAGE.value])
    return key


@pytest.fixture(autouse=True)
def fresh_adaptive_limits():
    """Each test's endpoints start from the initial limit, even where a test database reuses ids."""
    from hub.services.delivery.adaptive import LIMITS
    LIMITS.clear()
    yield
    LIMITS.clear()
