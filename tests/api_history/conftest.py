import pytest
from django.core.cache import cache
from django.test import Client

from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.ingest import events_ingest
from tests.factories import make_account
from tests.ingest.samples import sample_events


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and the cached whitelist union live in the (LocMem) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)


def ingest_sample(pbx) -> None:
    events = sample_events()
    for stream in ("callflow", "queuemanager", "cdr"):
        events_ingest(pbx=pbx, events=events[stream])


def account_with_key(slug: str, *, timezone: str = "+11:00", scopes=None, networks=("127.0.0.1",)):
    account, pbx, _ = make_account(slug, timezone=timezone)
    for network in networks:
        allowed_network_add(account=account, address=network)
    _, key = api_key_create(account=account, name="crm", scopes=scopes)
    return account, pbx, key


@pytest.fixture
def acme(db):
    """The shared sample in +11:00 on account acme, whitelisted for 127.0.0.1, with a full key."""
    account, pbx, key = account_with_key("acme")
    ingest_sample(pbx)
    return account, pbx, key


@pytest.fixture
def key(acme) -> str:
    return acme[2]


def get(client, path: str, key: str | None, **params):
    headers = {"HTTP_TOKEN": key} if key else {}
    return client.get(path, params, **headers)
