"""Schemathesis against /api/schema/: no operation answers any generated request with a server error.

The schema is fetched from the app itself (in-process WSGI, as a client at 127.0.0.1) and every
operation is fuzzed with a full-scope key in the ``token`` header. Path parameters are mostly
swapped for objects that exist (the ingest token, sample calls, webhooks, click-to-calls) so the
requests get past the lookups; the rest stay as generated. See conftest.py for the data and the
loopback-only guard.
"""
from __future__ import annotations

import socket
import zlib

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from hub.wsgi import application
from tests.api_schema.conftest import World

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# The WSGI client sends no REMOTE_ADDR of its own; 127.0.0.1 is on the account's whitelist.
CLIENT = {"REMOTE_ADDR": "127.0.0.1"}
# Hypothesis examples per operation (the examples and coverage phases add their own): about 40 s of
# CPU for the whole file, on SQLite as on PostgreSQL.
MAX_EXAMPLES = 25


# content_type_conformance is left out: a path the URL converters reject (``/api/v1/webhooks/-1``,
# ``/api/v1/webhooks/abc``) gets Django's HTML 404, not the JSON envelope the schema documents.
CHECKS = [not_a_server_error, status_code_conformance, response_headers_conformance, response_schema_conformance]


def _pick(generated, real: tuple):
    """Usually one of ``real``, sometimes the generated value: chosen from the value, so reproducible."""
    h = zlib.crc32(repr(generated).encode())
    return generated if h % 4 == 0 else real[h % len(real)]


def use_real_objects(case, world: World) -> None:
    if case.headers and "X-Pbx-Token" in case.headers:  # the token-less push URLs
        case.headers["X-Pbx-Token"] = _pick(case.headers["X-Pbx-Token"], (world.ingest_token,))
    params = case.path_parameters
    if not params:
        return
    if "token" in params:
        params["token"] = _pick(params["token"], (world.ingest_token,))
    if "unique_call_id" in params:
        params["unique_call_id"] = _pick(params["unique_call_id"], world.call_ids)
    if "click_id" in params:
        params["click_id"] = _pick(params["click_id"], world.click_ids)
    if "webhook_id" in params:
        params["webhook_id"] = _pick(params["webhook_id"], world.webhook_ids)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api(case, world: World) -> None:
    use_real_objects(case, world)
    # Each example sees the same world: what one request stored is rolled back before the next,
    # so a failure reproduces from its own request alone (and shrinks without going flaky).
    with transaction.atomic():
        try:
            case.call_and_validate(headers={"token": world.key}, environ_base=CLIENT, checks=CHECKS)
        finally:
            transaction.set_rollback(True)


def test_the_guard_keeps_sockets_on_loopback(loopback_only) -> None:
    with socket.socket() as sock, pytest.raises(PermissionError):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: refused before any packet leaves
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("crm.example.com", 443)
    assert socket.getaddrinfo("127.0.0.1", 80) and socket.getaddrinfo("localhost", 80)

    assert [what for what, _ in loopback_only.attempts] == ["connect", "getaddrinfo"]
    loopback_only.attempts.clear()  # seen: the fixture's own check at teardown must not fail
