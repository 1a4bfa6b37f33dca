"""The client's address, and whether it lies in a list of networks.

Forwarded headers are only believed when the operator says proxies stand in front of the hub
(TRUSTED_PROXY_COUNT / TRUSTED_PROXY_IPS); otherwise any client could whitelist itself by
sending ``X-Forwarded-For``.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network:
    """``203.0.113.7`` → ``203.0.113.7/32``; host bits of a range are cleared. ValueError if neither."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        # ::ffff:a.b.c.d is how a dual-stack socket reports an IPv4 client: store it as IPv4.
        mapped = network.network_address.ipv4_mapped
        network = ipaddress.ip_network(f"{mapped}/{max(0, network.prefixlen - 96)}", strict=False)
    return network


def typed_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address part of ``203.0.113.7/24`` as typed (host bits kept), IPv4-mapped as IPv4."""
    address = ipaddress.ip_interface(text.strip()).ip
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def _address(text: str):
    address = ipaddress.ip_address(text.split("%", 1)[0])
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def address_in(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = _address(address)
    except ValueError:
        return False
    for text in networks:
        try:
            if ip in parse_network(text):
                return True
        except ValueError:
            continue
    return False


def _proxy_trusted(remote: str, trusted: list[str]) -> bool:
    # Entries are addresses, CIDRs, or ipware-style prefixes ("10.0.").
    if address_in(remote, (t for t in trusted if not t.endswith((".", ":")))):
        return True
    return any(remote.startswith(t) for t in trusted if t.endswith((".", ":")))


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count, trusted = settings.TRUSTED_PROXY_COUNT, list(settings.TRUSTED_PROXY_IPS)
    # Without proxy addresses a forwarded header could come from anyone (settings refuse a
    # count alone at start-up; this holds should they be changed at run time).
    if not trusted or not _proxy_trusted(remote, trusted):
        return remote  # came straight to us, not through the proxy: its headers mean nothing
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        return remote
    # ipware reads a chain "client, proxy1, …, proxyN"; a proxy appends the address it saw to
    # X-Forwarded-For and the last proxy is the peer itself, so the full chain ends with
    # REMOTE_ADDR and the client sits ``count`` hops before it.
    meta = {"HTTP_X_FORWARDED_FOR": f"{forwarded}, {remote}"}
    ip, _ = get_client_ip(_Meta(meta), proxy_count=max(count, 1), strict=False,
                          request_header_order=["HTTP_X_FORWARDED_FOR"])
    return ip or remote


class _Meta:
    """Just enough of a request for ipware."""

    def __init__(self, meta: dict):
        self.META = meta
