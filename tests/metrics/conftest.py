import pytest

from tests.delivery_engine.receiver import receiver  # noqa: F401 (a fixture)
from tests.factories import make_account


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
