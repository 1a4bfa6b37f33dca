import pytest
from django.core.cache import cache
from django.test import Client

from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from tests.factories import make_account


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)  # as in production: pushes need no CSRF token


@pytest.fixture
def pushing_pbx(db):
    """A PBX in Prague (the seeds' 3CX call ids are Prague local time) and its ingest token."""
    _, pbx, token = make_account("acme", timezone="Europe/Prague")
    return pbx, token


@pytest.fixture
def token(pushing_pbx) -> str:
    return pushing_pbx[1]


@pytest.fixture
def pbx(pushing_pbx):
    return pushing_pbx[0]


@pytest.fixture
def api_key(pbx) -> str:
    cache.clear()  # throttle counters and the whitelist union live in the cache
    allowed_network_add(account=pbx.account, address="127.0.0.1")
    return api_key_create(account=pbx.account, name="crm")[1]
