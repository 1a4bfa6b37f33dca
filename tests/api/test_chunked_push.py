"""A push sent with ``Transfer-Encoding: chunked`` (no Content-Length) is read like any other,
under both servers the hub runs in: gunicorn (production) and Django's dev server (the demo)."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from hub.api.ingest.body import MAX_BODY_BYTES
from hub.models import StoredPbxEvent
from tests.delivery_engine.processes import worker_database_url
from tests.factories import make_account
from tests.processes import WEB_SERVERS, web_server

pytestmark = pytest.mark.django_db(transaction=True)


def event(n: int) -> dict:
    return {"id": f"chunked-{n}", "kind": "call.incoming", "occurred_at": "2025-03-01T08:00:00+11:00",
            "pbx_call_id": f"c{n}", "data": {"from": "0355501234"}}


@pytest.fixture(params=sorted(WEB_SERVERS))
def hub(request, tmp_path):
    """(connection to a running ``gunicorn`` or ``runserver``, ingest token of its PBX)."""
    _, _, token = make_account("acme")
    with web_server(request.param, env={"DATABASE_URL": worker_database_url()}, log_path=tmp_path / "web.log") as url:
        conn = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=30)
        yield conn, token
        conn.close()


def push_chunked(conn: http.client.HTTPConnection, token: str, pieces: list[bytes]) -> tuple[int, dict]:
    # An iterable body without a length: http.client sends it chunked, one chunk per piece.
    conn.request("POST", f"/ingest/events/{token}/", body=iter(pieces), encode_chunked=True,
                 headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_chunked_pushes_are_stored_and_the_connection_stays_usable(hub):
    conn, token = hub
    first = json.dumps(event(1)).encode()
    second = json.dumps([event(2), event(3)]).encode()

    # Two pushes on one connection: the second only parses if the first body was read to its end.
    replies = [push_chunked(conn, token, [first[:10], first[10:]]),
               push_chunked(conn, token, [second[i:i + 7] for i in range(0, len(second), 7)])]

    assert replies == [(202, {"status": "accepted", "received": 1, "stored": 1, "duplicates": 0}),
                       (202, {"status": "accepted", "received": 2, "stored": 2, "duplicates": 0})]
    assert sorted(StoredPbxEvent.objects.values_list("pbx_call_id", flat=True)) == ["c1", "c2", "c3"]


def test_a_chunked_push_over_the_size_limit_gets_413(hub):
    conn, token = hub
    body = json.dumps(event(1)).encode() + b" " * MAX_BODY_BYTES

    status, reply = push_chunked(conn, token, [body[i:i + 65536] for i in range(0, len(body), 65536)])

    assert status == 413
    assert reply["status"] == "error"
    assert not StoredPbxEvent.objects.exists()
