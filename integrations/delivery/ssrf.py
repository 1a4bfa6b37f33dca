"""Which addresses the hub may connect to, and the one address a host name is pinned to.

Only globally routable unicast addresses pass, unless an operator allowlisted a network
(WEBHOOK_ALLOW_PRIVATE_NETWORKS). The caller connects to the address returned here and to
nothing else, so a DNS answer that changes between check and connect changes nothing.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from urllib3.util.connection import allowed_gai_family

from .errors import TransportError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges ipaddress still calls global (or did in older CPythons) that can reach inside:
# translation and tunnelling prefixes embed an IPv4 address the guard would not see.
EXTRA_BLOCKED: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",   # CGNAT: often routes to a provider's internal hosts
    "192.0.0.0/24",    # IETF protocol assignments
    "192.88.99.0/24",  # 6to4 relay anycast
    "64:ff9b::/96",    # NAT64: the IPv4 inside may be private
    "64:ff9b:1::/48",  # local-use NAT64
    "2002::/16",       # 6to4: embeds an IPv4 address
    "2001::/32",       # Teredo: embeds an IPv4 address
    "5f00::/16",       # IPv6 segment routing
    "3fff::/20",       # documentation
))


_REFUSED_KINDS = ("unspecified", "loopback", "link_local", "multicast", "private", "reserved", "site_local")


def parse_networks(networks: Iterable[str | Network]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) if isinstance(n, str) else n for n in networks)


def _unwrapped(ip: IPAddress) -> IPAddress:
    # ::ffff:10.0.0.1 connects to 10.0.0.1: judge the IPv4 address it stands for.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def refusal(ip: IPAddress, allow: Iterable[Network] = ()) -> str | None:
    """Why the hub must not connect to ``ip``; None if it may."""
    ip = _unwrapped(ip)
    if any(ip.version == net.version and ip in net for net in allow):
        return None
    # is_global alone is not enough on 3.11: IPv6 multicast and ::/8 count as global there.
    for kind in _REFUSED_KINDS:
        if getattr(ip, f"is_{kind}", False):
            return f"{ip}: {kind.replace('_', '-')} address"
    if any(ip.version == net.version and ip in net for net in EXTRA_BLOCKED) or not ip.is_global:
        return f"{ip} is not a globally routable address"
    return None


# getaddrinfo cannot be interrupted; a small pool lets a lookup be abandoned at the deadline.
_RESOLVER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="delivery-dns")


def _lookup(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, family=allowed_gai_family(), type=socket.SOCK_STREAM)
    # scope ids ("fe80::1%eth0") are dropped: such an address is refused anyway.
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos
            if info[0] in (socket.AF_INET, socket.AF_INET6)]


def resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]  # a literal needs no lookup
    except ValueError:
        pass
    future = _RESOLVER.submit(_lookup, host, port)
    try:
        return future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        raise TransportError(f"resolving {host} took longer than {timeout:.1f}s", "timeout") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(f"cannot resolve {host}: {exc}", "dns") from None


def pin(host: str, port: int, allow: Iterable[Network], timeout: float) -> IPAddress:
    """The first resolved address the hub may connect to; TransportError if there is none.

    Refused addresses in the same answer are skipped, not fatal: only the returned address
    is ever connected to, so they are harmless (and ``localhost`` often lists ::1 too).
    """
    allow = tuple(allow)
    addresses = resolve(host, port, timeout)
    if not addresses:
        raise TransportError(f"{host} has no IPv4 or IPv6 address", "dns")
    reasons = []
    for ip in addresses:
        reason = refusal(ip, allow)
        if reason is None:
            return ip
        reasons.append(reason)
    raise TransportError(f"refused {host}: {'; '.join(dict.fromkeys(reasons))}", "ssrf_refused", permanent=True)
