import ipaddress
import socket

import pytest

from .receivers import Receiver

LOOPBACK = ["127.0.0.0/8"]


@pytest.fixture(autouse=True)
def connect_guard(monkeypatch):
    """Records every outgoing connect and blocks any that is not loopback, before the syscall.

    The SSRF tests point the hub at public and private addresses; this makes sure a bug in
    the guard would show up as a recorded attempt, never as traffic leaving the machine.
    """
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        attempts.append(host)
        try:
            loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ConnectionRefusedError(f"test guard: no connection to {host}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def make_receiver():
    started = []

    def make(**kwargs) -> Receiver:
        r = Receiver(**kwargs).__enter__()
        started.append(r)
        return r

    yield make
    for r in started:
        r.__exit__(None, None, None)


@pytest.fixture
def fake_dns(monkeypatch):
    """Answers for made-up names at the getaddrinfo level; other names resolve as usual.

    ``answers[name]`` is a list of answers, one per lookup (the last repeats): a lookup
    sequence is how DNS rebinding looks from the hub.
    """
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in answers:
            return real(host, port, family, type, proto, flags)
        lookups.append(host)
        sequence = answers[host]
        addresses = sequence.pop(0) if len(sequence) > 1 else sequence[0]
        infos = []
        for address in addresses:
            ip = ipaddress.ip_address(address)
            af = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            sockaddr = (address, int(port), 0, 0) if ip.version == 6 else (address, int(port))
            infos.append((af, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups
