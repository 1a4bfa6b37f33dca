"""send() against misbehaving receivers: statuses, hangs, redirects, floods. It never raises."""
import socket
import time

import pytest

from integrations.delivery import MAX_RESPONSE_BYTES, Outcome, RenderedRequest, classify, send

from .conftest import LOOPBACK


def _post(url, **headers):
    return RenderedRequest("POST", url, {"Content-Type": "application/json", **headers}, b'{"a":1}')


def _status(code, headers=None, body=b""):
    return lambda received, handler: (code, headers or {}, body)


@pytest.mark.parametrize(("code", "outcome"), [
    (200, Outcome.DELIVERED), (204, Outcome.DELIVERED), (500, Outcome.RETRY), (503, Outcome.RETRY),
    (400, Outcome.GIVE_UP), (404, Outcome.GIVE_UP), (408, Outcome.RETRY), (410, Outcome.DISABLE_ENDPOINT),
])
def test_status_codes_from_a_real_receiver(make_receiver, code, outcome):
    # A 204 carries no body (a receiver that sends one breaks HTTP, and may get a connection error).
    receiver = make_receiver(responder=_status(code, body=b"" if code == 204 else b"receiver says hi"))
    result = send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == code and result.error_class is None
    assert result.resolved_ip == "127.0.0.1"
    assert classify(result) is outcome
    if code != 204:
        assert result.response_body == "receiver says hi"


def test_429_keeps_retry_after_and_the_other_headers(make_receiver):
    receiver = make_receiver(responder=_status(429, {"retry-after": "120", "X-Other": "kept", "Set-Cookie": "sid=abcdef123456"}))
    result = send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == 429 and classify(result) is Outcome.RETRY
    assert result.response_headers["Retry-After"] == "120"
    assert result.response_headers["X-Other"] == "kept"
    assert "abcdef123456" not in result.response_headers["Set-Cookie"]


def test_redirect_is_not_followed(make_receiver):
    target = make_receiver()
    redirector = make_receiver(responder=_status(302, {"Location": target.url("/elsewhere")}))
    result = send(_post(redirector.url()), timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == 302 and classify(result) is Outcome.GIVE_UP
    assert result.response_headers["Location"] == target.url("/elsewhere")
    assert len(redirector.requests) == 1 and target.requests == []


def _hang(received, handler):
    handler.server.receiver_stopping.wait(10)  # released at teardown
    return 200, {}, b"too late"


def test_receiver_that_hangs_times_out_within_the_bound(make_receiver):
    receiver = make_receiver(responder=_hang)
    receiver.server.receiver_stopping = receiver.stopping
    started = time.monotonic()
    result = send(_post(receiver.url()), timeout=0.5, allow_networks=LOOPBACK)
    elapsed = time.monotonic() - started
    assert result.status_code is None and result.error_class == "timeout"
    assert classify(result) is Outcome.RETRY
    assert 0.4 <= elapsed < 1.5 and result.duration_ms < 1500
    assert len(receiver.requests) == 1


def _drip_headers(received, handler):
    # One header line every 0.2 s: no single read waits long, the whole thing never ends.
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for i in range(50):
        if handler.server.receiver_stopping.wait(0.2):
            return None
        try:
            handler.wfile.write(b"X-Drip-%d: x\r\n" % i)
            handler.wfile.flush()
        except OSError:
            return None
    return None


def test_a_receiver_dripping_headers_cannot_exceed_the_total_timeout(make_receiver):
    receiver = make_receiver(responder=_drip_headers)
    receiver.server.receiver_stopping = receiver.stopping
    started = time.monotonic()
    result = send(_post(receiver.url()), timeout=1.0, allow_networks=LOOPBACK)
    elapsed = time.monotonic() - started
    assert result.error_class == "timeout", result
    assert elapsed < 2.0


def _drip_body(received, handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(100):
        if handler.server.receiver_stopping.wait(0.1):
            return None
        try:
            handler.wfile.write(b"x" * 10)
            handler.wfile.flush()
        except OSError:
            return None
    return None


def test_a_slow_body_is_cut_at_the_deadline_but_the_status_counts(make_receiver):
    receiver = make_receiver(responder=_drip_body)
    receiver.server.receiver_stopping = receiver.stopping
    started = time.monotonic()
    result = send(_post(receiver.url()), timeout=0.8, allow_networks=LOOPBACK)
    assert time.monotonic() - started < 1.8
    assert result.status_code == 200 and classify(result) is Outcome.DELIVERED
    assert result.response_truncated and "cut off" in result.error_message
    assert result.response_body.startswith("xxxx")


def test_huge_response_body_is_truncated_to_16_kb(make_receiver):
    receiver = make_receiver(responder=_status(200, body=b"A" * (5 * 1024 * 1024)))
    result = send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == 200
    assert len(result.response_body) == MAX_RESPONSE_BYTES == 16384
    assert result.response_truncated


def test_connection_refused_is_a_connection_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = send(_post(f"http://127.0.0.1:{port}/"), timeout=2, allow_networks=LOOPBACK)
    assert result.status_code is None and result.error_class == "connection"
    assert result.resolved_ip == "127.0.0.1"
    assert classify(result) is Outcome.RETRY


def test_unresolvable_name_is_a_dns_error(fake_dns):
    answers, _ = fake_dns
    answers["nowhere.invalid"] = [[]]
    result = send(_post("http://nowhere.invalid/"), timeout=2, allow_networks=LOOPBACK)
    assert result.error_class == "dns" and classify(result) is Outcome.RETRY


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "http:///nohost", "not a url", "file:///etc/passwd"])
def test_bad_urls_give_up_without_raising(url):
    result = send(_post(url), timeout=2, allow_networks=LOOPBACK)
    assert result.status_code is None and result.error_class == "invalid_url"
    assert classify(result) is Outcome.GIVE_UP


def test_header_injection_is_refused_not_raised(receiver):
    result = send(_post(receiver.url(), **{"X-Bad": "a\r\nX-Injected: 1"}), timeout=2, allow_networks=LOOPBACK)
    assert result.error_class == "invalid_request"
    assert receiver.requests == []


def test_environment_proxies_are_ignored(receiver, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("http_proxy", "http://10.9.9.9:3128")
    result = send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == 200 and len(receiver.requests) == 1


def test_receiver_cookies_are_not_sent_back(make_receiver):
    receiver = make_receiver(responder=_status(200, {"Set-Cookie": "sid=abc; Path=/"}))
    send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK)
    assert "cookie" not in receiver.requests[1].headers


def test_request_headers_are_logged_with_secrets_masked(receiver):
    request = RenderedRequest("POST", receiver.url(), {
        "X-Pbx-Token": "pbx-secret-token-value", "Authorization": "Bearer abcdefghijklmnop",
        "webhook-signature": "v1,AAAAbbbbCCCCdddd v1,EEEEffffGGGGhhhh", "X-Api-Key": "key-0123456789",
        "X-Tenant": "acme", "webhook-id": "msg_1"}, b"{}")
    result = send(request, timeout=5, allow_networks=LOOPBACK)
    masked = result.request_headers_masked
    assert masked["X-Pbx-Token"] == "pbx-…"
    assert masked["Authorization"] == "Bearer abcd…"
    assert masked["webhook-signature"] == "v1,AAAA… v1,EEEE…"
    assert masked["X-Api-Key"] == "key-…"
    assert masked["X-Tenant"] == "acme" and masked["webhook-id"] == "msg_1"
    assert "pbx-secret-token-value" not in repr(result)
    assert receiver.requests[0].headers["x-pbx-token"] == "pbx-secret-token-value"  # sent in full


def test_short_secrets_are_masked_entirely():
    from integrations.delivery import masked_headers
    assert masked_headers({"X-Pbx-Token": "abc123", "X-Session": "s"}) == {"X-Pbx-Token": "…", "X-Session": "…"}


def test_keep_alive_connections_are_reused(receiver):
    for _ in range(3):
        assert send(_post(receiver.url()), timeout=5, allow_networks=LOOPBACK).status_code == 200
    assert len(receiver.requests) == 3
