"""No log line the web process writes holds a push's ingest token, under gunicorn (production)
and Django's dev server (the demo): access logs, Django's request warnings, header atoms."""
from __future__ import annotations

import json

import pytest
import requests

from tests.delivery_engine.processes import worker_database_url
from tests.factories import make_account
from tests.processes import WEB_SERVERS, web_server

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = {"id": "r1", "kind": "call.incoming", "occurred_at": "2025-03-01T08:00:00+11:00", "pbx_call_id": "c1",
         "data": {"from": "0355501234"}}
# gunicorn's access log naming the credential headers too, as an operator's format might.
GUNICORN_FORMAT = '--access-logformat=\'%(h)s "%(r)s" %(s)s %(U)s %({authorization}i)s %({x-pbx-token}i)s\''


def pushes(url: str, token: str) -> list[int]:
    """Every way a token travels: in the URL (accepted, malformed, mistyped), in each header."""
    native, plugin = f"{url}/ingest/events", f"{url}/ingest/3cx-webhook"
    body = json.dumps(EVENT)
    sent = [
        requests.post(f"{native}/{token}/", data=body, timeout=30),
        requests.post(f"{native}/{token}", data="{not json", timeout=30),
        requests.post(f"{native}/{token}x/", data=body, timeout=30),
        requests.get(f"{plugin}/{token}/?event=ringing&id=230102104542_15-1&user=102&usertype=ext", timeout=30),
        requests.post(f"{native}/", data=body, headers={"Authorization": f"Bearer {token}"}, timeout=30),
        requests.post(f"{native}/", data="[", headers={"X-Pbx-Token": token}, timeout=30),
    ]
    return [response.status_code for response in sent]


@pytest.mark.parametrize("kind", sorted(WEB_SERVERS))
def test_a_push_token_never_appears_in_the_logs(tmp_path, kind):
    log = tmp_path / "web.log"
    _, _, token = make_account("acme")
    env = {"DATABASE_URL": worker_database_url(), "LOG_LEVEL": "INFO", "GUNICORN_CMD_ARGS": GUNICORN_FORMAT}
    with web_server(kind, env=env, log_path=log) as url:
        statuses = pushes(url, token)

    text = log.read_text()
    assert statuses == [202, 400, 404, 202, 202, 400]
    assert token not in text
    # The lines are there, masked: the request lines, and Django's warnings for the 400 and 404.
    assert text.count("/ingest/events/***") >= 3
    assert "Bad Request: /ingest/events/***" in text and "Not Found: /ingest/events/***" in text
