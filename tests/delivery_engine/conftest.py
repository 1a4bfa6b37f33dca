import pytest

from hub.models import Scope
from hub.services.api_keys import api_key_create
from hub.services.access import allowed_network_add
from tests.delivery_engine.receiver import Receiver, receiver  # noqa: F401 (a fixture)
from tests.factories import make_account


@pytest.fixture
def other_receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def account_pbx(db):
    account, pbx, _ = make_account("acme")
    return account, pbx


@pytest.fixture
def account(account_pbx):
    return account_pbx[0]


@pytest.fixture
def pbx(account_pbx):
    return account_pbx[1]


@pytest.fixture
def api_key(account):
    allowed_network_add(account=account, address="127.0.0.1")
    _, key = api_key_create(account=account, name="crm", scopes=[Scope.WEBHOOKS_MANAGE.value])
    return key
