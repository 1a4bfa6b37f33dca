"""The Asterisk ARI driver against a fake ARI on loopback."""
import base64
import time

import pytest

from integrations.pbx_drivers import AriDriver, DriverConfig, DriverError
from tests.click_to_call.fake_pbx import FakePbx, Reply

CHANNEL = {"id": "1709.42", "name": "PJSIP/101-00000001", "state": "Down"}


def driver(url, *, context="from-internal", timeout=2.0):
    return AriDriver(DriverConfig(base_url=url, username="hub", secret="ari-pass", context=context,
                                  timeout_seconds=timeout))


def test_ari_driver_originates_to_the_user_endpoint_with_basic_auth():
    with FakePbx(lambda seen: Reply(200, CHANNEL)) as ari:
        result = driver(ari.url).originate(user="101", number="+61355501234", caller_id="+61390000000")
    (seen,) = ari.seen
    assert (seen.method, seen.path) == ("POST", "/ari/channels")
    assert seen.query == {"endpoint": ["PJSIP/101"], "extension": ["+61355501234"], "context": ["from-internal"],
                          "priority": ["1"], "callerId": ["+61390000000"], "timeout": ["30"]}
    assert seen.headers["authorization"] == "Basic " + base64.b64encode(b"hub:ari-pass").decode()
    assert (result.reference, result.status) == ("1709.42", "ringing_user")


def test_ari_without_caller_id_or_context_uses_the_defaults():
    with FakePbx(lambda seen: Reply(200, CHANNEL)) as ari:
        driver(ari.url, context="").originate(user="102", number="+61355501234", caller_id=None)
    assert "callerId" not in ari.seen[0].query
    assert ari.seen[0].query["context"] == ["default"]


@pytest.mark.parametrize("reply, message", [
    (Reply(401, {"message": "Authentication required"}), "refused the user name and password"),
    (Reply(400, {"message": "Endpoint parameter is required"}), "rejected the request .*Endpoint parameter"),
    (Reply(500, {"message": "Allocation failed"}), "answered HTTP 500 to originate"),
    (Reply(200, {"state": "Down"}), "names no channel id"),
])
def test_ari_failures_are_readable(reply, message):
    with FakePbx(lambda seen: reply) as ari:
        with pytest.raises(DriverError, match=message):
            driver(ari.url).originate(user="101", number="+61355501234")


def test_ari_timeout_is_bounded():
    with FakePbx(lambda seen: Reply(200, CHANNEL, delay=3)) as ari:
        started = time.monotonic()
        with pytest.raises(DriverError, match="Asterisk ARI did not answer within 0.4 s"):
            driver(ari.url, timeout=0.4).originate(user="101", number="+61355501234")
    assert time.monotonic() - started < 2
