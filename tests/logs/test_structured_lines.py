"""One structured line per request, ingest batch and delivery attempt, JSON with LOG_FORMAT=json,
whose fields follow an event from the PBX's push to the receiver's answer; no credential in any."""
from __future__ import annotations

import io
import json
import logging

import pytest
import requests
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.logs.context import ContextFields, log_scope
from hub.logs.formatters import JsonFormatter, TextFormatter
from hub.log_redaction import RedactSecrets
from hub.models import Delivery
from hub.services.delivery import webhook_endpoint_create
from hub.services.ingest import events_ingest
from integrations.native_json import parse_native_push
from tests.delivery_engine.engine import run_due
from tests.delivery_engine.processes import worker_database_url
from tests.delivery_engine.receiver import Receiver
from tests.factories import make_account
from tests.metrics.test_after_traffic import _answered_call
from tests.processes import web_server

REQUEST_ID = "pbx-push-0001"


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.django_db(transaction=True)
def test_a_push_writes_a_request_line_and_a_batch_line_sharing_its_request_id(tmp_path):
    account, pbx, token = make_account("acme", timezone="UTC")
    log_path = tmp_path / "web.log"
    env = {"LOG_FORMAT": "json", "DATABASE_URL": worker_database_url()}

    with web_server("gunicorn", env=env, log_path=log_path) as base:
        in_url = requests.post(f"{base}/ingest/events/{token}/", json=_answered_call(timezone.now(), "8001"),
                               headers={"X-Request-ID": REQUEST_ID}, timeout=30)
        in_header = requests.post(f"{base}/ingest/events/", json=_answered_call(timezone.now(), "8002"),
                                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
        refused = requests.post(f"{base}/ingest/events/", json=[], headers={"X-Pbx-Token": token + "x"}, timeout=30)
    assert (in_url.status_code, in_header.status_code, refused.status_code) == (202, 202, 404)
    assert in_url.headers["X-Request-ID"] == REQUEST_ID
    assert len(in_header.headers["X-Request-ID"]) == 32  # made up by the hub: the client sent none
    text = log_path.read_text()
    lines = _json_lines(text)

    requests_logged = [line for line in lines if line["logger"] == "hub.request"]
    assert [(r["method"], r["route"], r["status"]) for r in requests_logged] == [
        ("POST", "ingest-events", 202), ("POST", "ingest-events-token-in-header", 202),
        ("POST", "ingest-events-token-in-header", 404)]
    first = requests_logged[0]
    assert (first["request_id"], first["account"], first["pbx"]) == (REQUEST_ID, account.pk, pbx.pk)
    assert requests_logged[1]["request_id"] == in_header.headers["X-Request-ID"]
    assert "account" not in requests_logged[2]  # an unknown token names no account

    batches = [line for line in lines if line["logger"] == "hub.ingest"]
    assert [b["request_id"] for b in batches] == [REQUEST_ID, in_header.headers["X-Request-ID"]]
    assert all((b["account"], b["pbx"], b["received"], b["stored"], b["sources"]) == (account.pk, pbx.pk, 4, 4, "native")
               for b in batches)
    call_ids = {str(call_id) for call_id in pbx.calls.values_list("id", flat=True)}
    assert {b["call_ids"] for b in batches} == call_ids and len(call_ids) == 2

    assert token not in text
    assert not [line for line in text.splitlines() if "hub.request" in line and not line.startswith("{")]


@pytest.fixture
def captured():
    """hub.delivery's lines as a handler configured like settings.LOGGING's writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets())
    handler.addFilter(ContextFields())
    logger = logging.getLogger("hub.delivery")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db(transaction=True)
def test_each_attempt_writes_a_line_naming_its_webhook_id_call_and_account(captured):
    account, pbx, _ = make_account("acme", timezone="UTC")
    receiver = Receiver().start()
    try:
        endpoint, _ = webhook_endpoint_create(account=account, actor="test", url=receiver.url + "/hook",
                                              dialect="json", triggers=list(CATALOGUE), secret_token="hook-secret-123")
        events_ingest(pbx=pbx, events=parse_native_push(_answered_call(timezone.now(), "9001")))
        with log_scope(request_id="task-1"):
            run_due()
    finally:
        receiver.stop()
    attempts = _json_lines(captured.getvalue())
    deliveries = {d.message_id: d for d in Delivery.objects.filter(endpoint=endpoint)}

    assert len(attempts) == len(deliveries) == len(receiver.requests) > 0
    for line in attempts:
        delivery = deliveries[line["webhook_id"]]
        assert (line["message"], line["account"], line["pbx"], line["call"], line["endpoint"], line["delivery"]) == (
            "delivery attempt", account.pk, pbx.pk, delivery.call_id, endpoint.pk, delivery.pk)
        assert (line["attempt"], line["outcome"], line["status_code"], line["request_id"]) == (1, "delivered", 200, "task-1")
    assert {r.header("webhook-id") for r in receiver.requests} == set(deliveries)
    assert "hook-secret-123" not in captured.getvalue()


def _record(message: str, **fields) -> logging.LogRecord:
    record = logging.LogRecord("hub.test", logging.INFO, __file__, 1, message, (), None)
    record.fields = fields
    return record


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_no_format_writes_a_credential_whatever_field_carries_it(formatter):
    record = _record("pushed to /ingest/events/tok3n-in-url/ with Authorization: Bearer s3cret-bearer",
                     header="X-Pbx-Token: tok3n-header", key="pbxh_abcd1234_secretpart", note="token=plain-tok3n")
    line = formatter.format(record)

    for secret in ("tok3n-in-url", "s3cret-bearer", "tok3n-header", "secretpart", "plain-tok3n"):
        assert secret not in line


def test_text_lines_put_the_fields_after_the_message_quoting_what_needs_it():
    line = TextFormatter().format(_record("delivery attempt", account=3, error="connection refused", empty=""))

    assert line.endswith('INFO hub.test delivery attempt account=3 error="connection refused" empty=""')


def test_json_lines_are_one_object_with_time_level_logger_message_and_fields():
    with log_scope(request_id="req-12345678"):
        record = _record("ingest batch", stored=4)
        ContextFields().filter(record)
    line = json.loads(JsonFormatter().format(record))

    assert line["time"].endswith("+00:00")
    assert {k: v for k, v in line.items() if k != "time"} == {
        "level": "INFO", "logger": "hub.test", "message": "ingest batch", "request_id": "req-12345678", "stored": 4}


@pytest.mark.parametrize("header, kept", [("abc-123_4.5:6", True), ("short", False), ("has space in it", False),
                                          ("x" * 65, False), ("<script>alert(1)</script>", False)])
def test_a_request_id_is_kept_only_when_it_looks_like_one(header, kept):
    from hub.logs.context import request_id_from

    assert (request_id_from(header) == header) is kept
