"""The SSRF guard: refused targets are never connected to; the checked address is the one used."""
import ipaddress
import socket

import pytest

from integrations.delivery import Outcome, RenderedRequest, classify, refusal, send

from .conftest import LOOPBACK
from .receivers import Receiver


def _get(url):
    return RenderedRequest("GET", url, {}, b"")


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1", "fe80::1", "fc00::1",
    "fd12:3456::1", "ff02::1", "fec0::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "::7f00:1", "64:ff9b::a00:1", "2002:a00:1::", "2001::1", "2001:db8::1", "192.0.0.8",
])
def test_addresses_that_are_not_globally_routable_are_refused(address):
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.215.14"])
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_allowlist_opens_exactly_its_networks():
    allow = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.1.0.0/16")]
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow) is None  # mapped form too
    assert refusal(ipaddress.ip_address("10.1.2.3"), allow) is None
    assert refusal(ipaddress.ip_address("10.2.0.1"), allow) is not None
    assert refusal(ipaddress.ip_address("::1"), allow) is not None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_loopback_receiver_is_refused_unless_allowed(receiver, connect_guard, host):
    url = f"http://{host}:{receiver.port}/hook"
    refused = send(_get(url), timeout=2, allow_networks=[])
    assert refused.status_code is None and refused.error_class == "ssrf_refused"
    assert classify(refused) is Outcome.GIVE_UP
    assert receiver.requests == [] and connect_guard == []  # no connection was even attempted

    if host.startswith("[::ffff"):
        return  # a mapped address is judged as 127.0.0.1, but connecting to it needs dual-stack
    allowed = send(_get(url), timeout=2, allow_networks=LOOPBACK)
    assert allowed.status_code == 200 and allowed.resolved_ip == "127.0.0.1"
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["host"] == f"{host}:{receiver.port}"


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback_available(), reason="no IPv6 loopback here")
def test_ipv6_loopback_is_refused_unless_allowed(make_receiver, connect_guard):
    receiver = make_receiver(host="::1")
    url = receiver.url(host="::1")
    assert send(_get(url), timeout=2, allow_networks=[]).error_class == "ssrf_refused"
    assert receiver.requests == [] and connect_guard == []
    allowed = send(_get(url), timeout=2, allow_networks=["::1/128"])
    assert allowed.status_code == 200 and allowed.resolved_ip == "::1"


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "http://192.168.1.1:8080/",
    "http://172.16.0.1/", "http://[fd00::1]/", "http://100.64.1.1/", "http://0.0.0.0:80/",
    "https://[::1]/", "http://2130706433/",  # 2130706433 = 127.0.0.1 as one number
])
def test_internal_targets_are_refused_without_a_connection(url, connect_guard):
    result = send(_get(url), timeout=2, allow_networks=LOOPBACK if "169.254" in url else [])
    assert result.error_class in ("ssrf_refused", "dns"), result
    assert connect_guard == []


def test_a_name_resolving_to_private_addresses_is_refused(fake_dns, connect_guard):
    answers, _ = fake_dns
    answers["intranet.example"] = [["10.0.0.5", "192.168.0.5"]]
    result = send(_get("http://intranet.example/"), timeout=2, allow_networks=LOOPBACK)
    assert result.error_class == "ssrf_refused" and "10.0.0.5" in result.error_message
    assert connect_guard == []


def test_dns_rebinding_connects_to_the_checked_address_only(fake_dns, connect_guard):
    # The name first resolves to the allowed 127.0.0.2, then "rebinds" to 127.0.0.1, which
    # is not allowed. A receiver listens on each, on the same port: only the checked one may hear.
    checked = Receiver(host="127.0.0.2").__enter__()
    try:
        rebound = Receiver(host="127.0.0.1", port=checked.port).__enter__()
    except OSError:
        checked.__exit__(None, None, None)
        pytest.skip("cannot bind 127.0.0.1 and 127.0.0.2 on one port here")
    try:
        answers, lookups = fake_dns
        answers["rebind.example"] = [["127.0.0.2"], ["127.0.0.1"]]
        result = send(_get(f"http://rebind.example:{checked.port}/hook"), timeout=2,
                      allow_networks=["127.0.0.2/32"])
        assert result.status_code == 200 and result.resolved_ip == "127.0.0.2"
        assert len(checked.requests) == 1 and rebound.requests == []
        assert checked.requests[0].headers["host"] == f"rebind.example:{checked.port}"
        assert lookups == ["rebind.example"]  # resolved once; the connection did not ask again
        assert set(connect_guard) == {"127.0.0.2"}
    finally:
        checked.__exit__(None, None, None)
        rebound.__exit__(None, None, None)


def test_rebinding_from_a_public_address_still_connects_to_the_public_one(fake_dns, connect_guard, receiver):
    # Public first, loopback on the next lookup: the connect goes to the checked public
    # address (which the test guard blocks before any packet leaves), never to loopback.
    answers, lookups = fake_dns
    answers["public.example"] = [["8.8.8.8"], ["127.0.0.1"]]
    result = send(_get(f"http://public.example:{receiver.port}/"), timeout=2, allow_networks=[])
    assert result.error_class == "connection" and result.resolved_ip == "8.8.8.8"
    assert connect_guard == ["8.8.8.8"] and receiver.requests == []
    assert lookups == ["public.example"]


def test_mixed_answer_uses_the_first_allowed_address(fake_dns, connect_guard, receiver):
    answers, _ = fake_dns
    answers["mixed.example"] = [["10.0.0.9", "127.0.0.1"]]
    result = send(_get(f"http://mixed.example:{receiver.port}/"), timeout=2, allow_networks=LOOPBACK)
    assert result.status_code == 200 and result.resolved_ip == "127.0.0.1"
    assert connect_guard == ["127.0.0.1"]


def test_pool_is_keyed_by_address_so_a_rebound_name_gets_a_new_connection(fake_dns, connect_guard, make_receiver):
    first = make_receiver(host="127.0.0.1")
    answers, _ = fake_dns
    answers["pooled.example"] = [["127.0.0.1"]]
    url = f"http://pooled.example:{first.port}/"
    assert send(_get(url), timeout=2, allow_networks=LOOPBACK).status_code == 200
    answers["pooled.example"] = [["10.0.0.1"]]  # now points inside: the warm connection must not be reused
    result = send(_get(url), timeout=2, allow_networks=LOOPBACK)
    assert result.error_class == "ssrf_refused"
    assert len(first.requests) == 1
