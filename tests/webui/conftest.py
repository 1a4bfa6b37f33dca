"""An account with members of every role, a second account to stay out of, and data to show."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone

from hub.models import Account, Call, CallControl, Delivery, DeliveryStatus, IngestSource, PbxUser, Role, SourceKind
from hub.services.delivery import webhook_endpoint_create
from tests.factories import make_account, make_member


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Members are created with passwords; the production hasher would make every test slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser(chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
    # still plain synchronous code (Playwright's documented set-up for Django).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path,
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()
        # The ORM calls made while Playwright ran opened a connection that the test database's
        # teardown does not see (Django's connections are context-local, and Playwright runs
        # its event loop on this thread); left open, it kept that database from being dropped.
        connections.close_all()


@dataclass
class World:
    account: Account
    pbx: object
    owner: object
    admin: object
    viewer: object
    other: Account
    other_pbx: object


@pytest.fixture
def world(db) -> World:
    account, pbx, _ = make_account("acme")
    other, other_pbx, _ = make_account("globex")
    return World(account, pbx, make_member(account, "olivia@acme.test", Role.OWNER),
                 make_member(account, "adam@acme.test", Role.ADMIN), make_member(account, "vera@acme.test", Role.VIEWER),
                 other, other_pbx)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(world) -> Client:
    return signed_in(world.owner)


@pytest.fixture
def admin(world) -> Client:
    return signed_in(world.admin)


@pytest.fixture
def viewer(world) -> Client:
    return signed_in(world.viewer)


def make_call(pbx, unique_call_id: str = "250301080017_874", **fields) -> Call:
    now = timezone.now()
    values = {"direction": "inbound", "state": "ended", "caller_number": "0393166101", "dest_number": "0354060753",
              "call_start_at": now, "last_event_at": now, "connected_at": now, "call_duration": 60,
              "conversation_duration": 50} | fields
    return Call.objects.create(account=pbx.account, pbx=pbx, unique_call_id=unique_call_id, **values)


def make_endpoint(account, url: str = "https://crm.example.com/hook", triggers=("user_inbound",), **fields):
    endpoint, _ = webhook_endpoint_create(account=account, url=url, triggers=list(triggers), actor="test", **fields)
    return endpoint


def make_delivery(endpoint, *, status=DeliveryStatus.FAILED, trigger="user_inbound", call=None) -> Delivery:
    return Delivery.objects.create(account_id=endpoint.account_id, endpoint=endpoint, trigger=trigger, call=call,
                                   message_id=f"msg_{uuid.uuid4().hex}", url=endpoint.url, body=b'{"event":"x"}',
                                   status=status, last_error="HTTP 503" if status == DeliveryStatus.FAILED else "")


def make_source(pbx, **fields) -> IngestSource:
    values = {"kind": SourceKind.CALLFLOW_LOG, "path": "/var/log/3cx/3CXCallFlow.log"} | fields
    return IngestSource.objects.create(pbx=pbx, **values)


def enable_click_to_call(pbx, *users: str, simulator_dir: str = "/tmp/none") -> None:
    CallControl.objects.create(pbx=pbx, simulator_dir=simulator_dir)
    for number in users:
        PbxUser.objects.create(pbx=pbx, number=number, name=f"User {number}")
