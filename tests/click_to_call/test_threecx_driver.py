"""The 3CX driver against a fake 3CX on loopback: exact requests, token cache, refresh, failures."""
import time

import pytest

from integrations.pbx_drivers import DriverConfig, DriverError, ThreeCxDriver
from tests.click_to_call.fake_pbx import FakePbx, Reply

MAKECALL_OK = {"finalstatus": "Success", "reason": "", "reasontext": "",
               "result": {"id": 55, "callid": 874, "dn": "101", "status": "Dialing"}}


class Scripted3cx:
    """Tokens tok1, tok2, …; makecall answers per ``makecall`` (a list consumed in order, then OK)."""

    def __init__(self, *, expires_in=3600, token_status=200, makecall=()):
        self.expires_in, self.token_status, self.makecall = expires_in, token_status, list(makecall)
        self.tokens = 0

    def __call__(self, seen):
        if seen.path == "/connect/token":
            if self.token_status != 200:
                return Reply(self.token_status, {"error": "invalid_client"})
            self.tokens += 1
            return Reply(200, {"token_type": "Bearer", "expires_in": self.expires_in,
                               "access_token": f"tok{self.tokens}"})
        return self.makecall.pop(0) if self.makecall else Reply(200, MAKECALL_OK)


def driver(url, **overrides):
    config = DriverConfig(base_url=url + "/", username="hub-client", secret="s3cret&=x",
                          timeout_seconds=overrides.pop("timeout", 2.0))
    return ThreeCxDriver(config)


def test_3cx_driver_sends_token_request_then_makecall_with_bearer():
    with FakePbx(Scripted3cx()) as pbx:
        result = driver(pbx.url).originate(user="101", number="+61355501234", caller_id="+61390000000")
    token, makecall = pbx.seen
    assert (token.method, token.path) == ("POST", "/connect/token")
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token.form() == {"client_id": ["hub-client"], "client_secret": ["s3cret&=x"],
                            "grant_type": ["client_credentials"]}
    assert (makecall.method, makecall.path, makecall.query) == ("POST", "/callcontrol/101/makecall", {})
    assert makecall.headers["authorization"] == "Bearer tok1"
    assert makecall.headers["content-type"] == "application/json"
    assert makecall.json() == {"destination": "+61355501234"}
    assert (result.reference, result.status) == ("874", "ringing_user")


def test_3cx_token_is_cached_across_calls_and_drivers():
    with FakePbx(Scripted3cx()) as pbx:
        driver(pbx.url).originate(user="101", number="+61355501234")
        driver(pbx.url).originate(user="102", number="+61355501235")
    assert pbx.paths() == ["/connect/token", "/callcontrol/101/makecall", "/callcontrol/102/makecall"]
    assert [s.headers["authorization"] for s in pbx.seen[1:]] == ["Bearer tok1", "Bearer tok1"]


def test_3cx_token_is_refreshed_when_it_expires():
    # expires_in 1 s: reused for half of it (the margin), then fetched again.
    with FakePbx(Scripted3cx(expires_in=1)) as pbx:
        driver(pbx.url).originate(user="101", number="+61355501234")
        driver(pbx.url).originate(user="101", number="+61355501234")
        time.sleep(0.6)
        driver(pbx.url).originate(user="101", number="+61355501234")
    assert pbx.paths().count("/connect/token") == 2
    assert [s.headers["authorization"] for s in pbx.seen if "makecall" in s.path] == [
        "Bearer tok1", "Bearer tok1", "Bearer tok2"]


def test_3cx_401_on_makecall_fetches_a_new_token_once_and_retries():
    with FakePbx(Scripted3cx(makecall=[Reply(401, {})])) as pbx:
        result = driver(pbx.url).originate(user="101", number="+61355501234")
    assert pbx.paths() == ["/connect/token", "/callcontrol/101/makecall", "/connect/token", "/callcontrol/101/makecall"]
    assert pbx.seen[3].headers["authorization"] == "Bearer tok2"
    assert result.reference == "874"


def test_3cx_401_twice_is_a_readable_error_not_a_loop():
    with FakePbx(Scripted3cx(makecall=[Reply(401, {}), Reply(401, {}), Reply(401, {})])) as pbx:
        with pytest.raises(DriverError, match="refused the access token twice"):
            driver(pbx.url).originate(user="101", number="+61355501234")
    assert len(pbx.seen) == 4


def test_3cx_bad_client_credentials():
    with FakePbx(Scripted3cx(token_status=401)) as pbx:
        with pytest.raises(DriverError, match=r"refused the client credentials \(HTTP 401"):
            driver(pbx.url).originate(user="101", number="+61355501234")
    assert pbx.paths() == ["/connect/token"]


@pytest.mark.parametrize("reply, message", [
    (Reply(500, {"error": "boom"}), r"3CX answered HTTP 500 to makecall: .*boom"),
    (Reply(404, {}), "does not know extension 101"),
    (Reply(403, {}), "forbids this API client to control extension 101"),
    (Reply(200, b"<html>"), "not JSON"),
    (Reply(202, {"finalstatus": "Failure", "reasontext": "DN is busy"}), "did not place the call: DN is busy"),
    (Reply(200, {"finalstatus": "Success", "result": {}}), "names no call id"),
])
def test_3cx_makecall_failures_are_readable(reply, message):
    with FakePbx(Scripted3cx(makecall=[reply])) as pbx:
        with pytest.raises(DriverError, match=message):
            driver(pbx.url).originate(user="101", number="+61355501234")


def test_3cx_timeout_is_bounded_and_readable():
    with FakePbx(Scripted3cx(makecall=[Reply(200, MAKECALL_OK, delay=3)])) as pbx:
        started = time.monotonic()
        with pytest.raises(DriverError, match=r"3CX did not answer within 0.4 s"):
            driver(pbx.url, timeout=0.4).originate(user="101", number="+61355501234")
    assert time.monotonic() - started < 2


def test_3cx_unreachable_is_readable():
    with FakePbx(Scripted3cx()) as pbx:
        url = pbx.url
    with pytest.raises(DriverError, match="cannot connect to 3CX at"):
        driver(url, timeout=0.5).originate(user="101", number="+61355501234")


def test_3cx_needs_credentials():
    with pytest.raises(DriverError, match="client id and client secret"):
        ThreeCxDriver(DriverConfig(base_url="http://127.0.0.1:9"))
