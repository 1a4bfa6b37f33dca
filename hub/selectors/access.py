"""Reads of the IP whitelist for the authentication path."""
from __future__ import annotations

from django.core.cache import cache

from hub.models import AllowedNetwork
from hub.net import address_in

_ALL_NETWORKS_KEY = "hub:whitelist:all-networks"
_ALL_NETWORKS_SECONDS = 30


def account_networks(*, account_id: int) -> list[str]:
    # Read per request, not cached: removing an address must lock it out at once.
    return list(AllowedNetwork.objects.filter(account_id=account_id).values_list("network", flat=True))


def address_whitelisted_anywhere(*, address: str) -> bool:
    """Is the address on any account's whitelist? Only asked for bad keys, so cached briefly."""
    networks = cache.get(_ALL_NETWORKS_KEY)
    if networks is None:
        networks = sorted(set(AllowedNetwork.objects.values_list("network", flat=True)))
        cache.set(_ALL_NETWORKS_KEY, networks, _ALL_NETWORKS_SECONDS)
    return address_in(address, networks)


def forget_cached_networks() -> None:
    cache.delete(_ALL_NETWORKS_KEY)
