import pytest
from django.test import Client

from tests.factories import make_account


@pytest.fixture
def client() -> Client:
    # CSRF checks on, as in production: the push endpoints must not need a token.
    return Client(enforce_csrf_checks=True)


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
