"""Fixtures for the schemathesis run: a real account, whitelisted key, ingest token, calls, webhooks.

Every socket the code under test opens must stay on this machine: the outbound-webhook test
operation sends real HTTP requests, so connects and name lookups off loopback are refused here
(on top of the delivery SSRF guard) and the test that tried fails.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from hub.api.v1.calls.cursor import cursor_encode
from hub.models import CallControl, ClickToCall, DriverKind, PbxUser
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.delivery import webhook_endpoint_create
from hub.services.ingest import events_ingest
from tests.factories import make_account
from tests.ingest.samples import sample_events

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
# Nothing listens here (a closed port on loopback): a test send is refused at once.
WEBHOOK_URL = "http://127.0.0.1:9/hooks/pbx"


def _is_loopback(host) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


@dataclass
class OffLoopback:
    attempts: list = field(default_factory=list)

    def refuse(self, what: str, target) -> None:
        self.attempts.append((what, target))
        raise PermissionError(f"tests/api_schema: {what} to {target!r} refused, only loopback is allowed")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch) -> OffLoopback:
    """Refuse (and record) any connect, send or DNS lookup that would leave loopback."""
    guard = OffLoopback()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo

    def checked(sock, address, what):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            guard.refuse(what, address)

    def connect(sock, address):
        checked(sock, address, "connect")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        checked(sock, address, "connect")
        return real_connect_ex(sock, address)

    def sendto(sock, data, *args):
        checked(sock, args[-1], "sendto")
        return real_sendto(sock, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            try:  # a literal address needs no lookup; connect() is checked on its own
                ipaddress.ip_address(str(host.decode() if isinstance(host, bytes) else host).split("%", 1)[0])
            except ValueError:
                guard.attempts.append(("getaddrinfo", host))
                raise socket.gaierror(socket.EAI_NONAME, "tests/api_schema: name lookups are refused") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield guard
    assert not guard.attempts, f"the code under test tried to leave loopback: {guard.attempts}"


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Requests go through the real WSGI handler, whose request signals would close the test's
    database connection (and its transaction) after each request; Django's test Client
    disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class World:
    key: str
    ingest_token: str
    call_ids: tuple[str, ...]
    webhook_ids: tuple[int, ...]
    click_ids: tuple[int, ...]
    user_numbers: tuple[str, ...]
    cursors: dict[str, str]  # sort_by -> a `next` cursor the calls list returns in that order


@pytest.fixture
def world(db, settings) -> World:
    """Account acme with the shared 3CX sample ingested, a full-scope key for 127.0.0.1, webhooks."""
    cache.clear()
    settings.HUB_API_RATE = "100000/min"  # the run sends far more than 600 requests a minute
    account, pbx, ingest_token = make_account("acme", timezone="+11:00")
    allowed_network_add(account=account, address="127.0.0.1")
    api_key, key = api_key_create(account=account, name="schemathesis")  # every scope
    events = sample_events()
    for stream in ("callflow", "queuemanager", "cdr"):
        events_ingest(pbx=pbx, events=events[stream])
    call_ids = tuple(pbx.calls.order_by("pk").values_list("unique_call_id", flat=True)[:20])
    assert call_ids, "the sample must give calls to look up"
    middle = pbx.calls.order_by("call_start_at", "pk")[len(call_ids) // 2]
    cursors = {order: cursor_encode(start=middle.call_start_at, pk=middle.pk, newest_first=order == "newest_first")
               for order in ("newest_first", "oldest_first")}

    users = tuple(PbxUser.objects.filter(pbx=pbx).order_by("number").values_list("number", flat=True)[:5])
    if not users:
        PbxUser.objects.create(pbx=pbx, number="101", name="User 101")
        users = ("101",)
    CallControl.objects.create(pbx=pbx, driver=DriverKind.SIMULATOR)
    clicks = tuple(ClickToCall.objects.create(account=account, pbx=pbx, api_key=api_key, user_number=users[0],
                                              number_to_call="+61355501234", driver=DriverKind.SIMULATOR).pk
                   for _ in range(2))
    webhooks = tuple(webhook_endpoint_create(account=account, url=WEBHOOK_URL, triggers=[trigger],
                                             actor="tests", timeout_seconds=1)[0].pk
                     for trigger in ("user_inbound", "queue_call"))
    yield World(key=key, ingest_token=ingest_token, call_ids=call_ids, webhook_ids=webhooks, click_ids=clicks,
                user_numbers=users, cursors=cursors)
    cache.clear()
