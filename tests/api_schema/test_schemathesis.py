"""Schemathesis against /api/schema/: every check schemathesis has, on every operation.

No server error, and replies and requests agree with the published schema both ways: what it
documents is accepted, what it rules out is refused, and every reply (status, headers, body)
is one it documents. The schema is fetched from the app itself (in-process WSGI, as a client at
127.0.0.1) and every operation is fuzzed with a full-scope key in the ``token`` header. Path
parameters are mostly swapped for objects that exist (the ingest token, sample calls, webhooks,
click-to-calls) so the requests get past the lookups; the rest stay as generated, except where
a schema-valid request must also satisfy a rule no JSON schema can state (see
``satisfy_rules_the_schema_cannot_state``). See conftest.py for the data and the loopback-only guard.
"""
from __future__ import annotations

import socket
import zlib

import pytest
import schemathesis
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as _openapi_checks  # noqa: F401  (registers the OpenAPI checks)

from hub.wsgi import application
from integrations.delivery import custom_header_problems
from tests.api_schema.conftest import WEBHOOK_URL, World

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# The WSGI client sends no REMOTE_ADDR of its own; 127.0.0.1 is on the account's whitelist.
CLIENT = {"REMOTE_ADDR": "127.0.0.1"}
# Hypothesis examples per operation (the examples and coverage phases add their own): about 40 s of
# CPU for the whole file, on SQLite as on PostgreSQL.
MAX_EXAMPLES = 25


CHECKS = REGISTERED_CHECKS.get_all()
# The push endpoints are not yet held to the two request-side checks (schema-valid accepted,
# schema-violating refused): their schema is looser than the adapters in ways OpenAPI 3.0 can
# only say with per-kind oneOf schemas (a native queue.* event needs data.qcid; a plugin request
# needs event and id unless it is a recording link; unknown fields are refused), and the plugin's
# adapter takes numbers and unknown enum values the 3CX plugin's versions send. Issue 17 tracks it.
PUSH_CHECKS = [check for check in CHECKS if check.__name__ not in {"positive_data_acceptance", "negative_data_rejection"}]
# A number the PBX can dial: whether a generated one is valid depends on numbering plans.
DIALLABLE = ("+61355501234", "+61390001234", "+442079460000")


def _pick(generated, real: tuple):
    """Usually one of ``real``, sometimes the generated value: chosen from the value, so reproducible."""
    h = zlib.crc32(repr(generated).encode())
    return generated if h % 4 == 0 else real[h % len(real)]


def _negated(case, location: ParameterLocation) -> bool:
    """Whether schemathesis made this part of the request break the schema on purpose: it is
    then sent as generated, or the request would no longer be the one the check judges."""
    component = case.meta.components.get(location) if case.meta is not None else None
    return component is not None and component.mode == GenerationMode.NEGATIVE


def use_real_objects(case, world: World) -> None:
    if case.headers and "X-Pbx-Token" in case.headers and not _negated(case, ParameterLocation.HEADER):
        case.headers["X-Pbx-Token"] = _pick(case.headers["X-Pbx-Token"], (world.ingest_token,))
    params = case.path_parameters
    if not params or _negated(case, ParameterLocation.PATH):
        return
    if "token" in params:
        params["token"] = _pick(params["token"], (world.ingest_token,))
    if "unique_call_id" in params:
        params["unique_call_id"] = _pick(params["unique_call_id"], world.call_ids)
    if "click_id" in params:
        params["click_id"] = _pick(params["click_id"], world.click_ids)
    if "webhook_id" in params:
        params["webhook_id"] = _pick(params["webhook_id"], world.webhook_ids)


def satisfy_rules_the_schema_cannot_state(case, world: World) -> None:
    """A schema-valid request the API must accept also keeps the rules OpenAPI 3.0 has no words
    for; each is stated in the parameter's description, and refused with a 400 naming it."""
    query, body = case.query or {}, case.body
    if query.get("cursor"):  # opaque: only the cursors the API hands out, for the same sort order
        query["cursor"] = world.cursors.get(query.get("sort_by") or "newest_first", world.cursors["newest_first"])
    if query.get("from_date") and query.get("to_date") and query["to_date"] < query["from_date"]:
        query["from_date"], query["to_date"] = query["to_date"], query["from_date"]
    if not isinstance(body, dict):
        return
    if case.media_type and "json" not in case.media_type:
        # A form carries text: a whole number (NumberText's other JSON type) goes as its digits
        # (the multipart encoding here sends 0 as an empty field).
        body.update({k: str(v) for k, v in body.items() if isinstance(v, int) and not isinstance(v, bool)})
    if isinstance(body.get("number_to_call"), (str, int)):
        body["number_to_call"] = DIALLABLE[zlib.crc32(str(body["number_to_call"]).encode()) % len(DIALLABLE)]
    if isinstance(body.get("url"), str) and not _django_url(body["url"]):  # RFC 3986 allows more than Django
        body["url"] = WEBHOOK_URL
    if body.get("recording_url") and isinstance(body["recording_url"], str) and not _django_url(body["recording_url"]):
        body["recording_url"] = WEBHOOK_URL  # the same for the plugin dialects' recording URL ("" is valid)
    if isinstance(body.get("headers"), dict):  # names: ASCII, no space or colon, none the hub sets
        body["headers"] = {k: v for k, v in body["headers"].items() if not custom_header_problems({k: v})}


def _django_url(url: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api(case, world: World) -> None:
    use_real_objects(case, world)
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        satisfy_rules_the_schema_cannot_state(case, world)
    # Each example sees the same world: what one request stored is rolled back before the next,
    # so a failure reproduces from its own request alone (and shrinks without going flaky).
    with transaction.atomic():
        try:
            # The key is the `token` header the schema requires: left out when the headers are the
            # part made invalid (schemathesis dropped or mangled it), so the 401 is the answer.
            key = {} if _negated(case, ParameterLocation.HEADER) else {"token": world.key}
            checks = PUSH_CHECKS if case.operation.path.startswith("/ingest/") else CHECKS
            case.call_and_validate(headers=key, environ_base=CLIENT, checks=checks)
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
