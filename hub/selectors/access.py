"""Reads for the authentication path: an API key with what a request needs to go on, and the whitelist."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.core.cache import cache as django_cache
from django.db import connection

from hub.models import AllowedNetwork
from hub.net import address_in
from hub.selectors.prepared import fetch_all

_ALL_NETWORKS_KEY = "hub:whitelist:all-networks"
_ALL_NETWORKS_SECONDS = 30

# Text aggregation differs by database; the rest of the statement is plain SQL. Networks are
# CIDRs and zones are IANA names or offsets: neither contains "," or "=".
_AGGREGATE = {"postgresql": "string_agg({}, ',')", "sqlite": "group_concat({}, ',')"}

_KEY_SQL = """
SELECT k.id, k.account_id, k.name, k.prefix, k.key_hash, k.scopes, k.allowed_networks,
       a.name, a.slug,
       CASE WHEN k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > %s) THEN 1 ELSE 0 END,
       CASE WHEN k.last_used_at IS NULL OR k.last_used_at < %s THEN 1 ELSE 0 END,
       (SELECT {networks} FROM hub_allowednetwork n WHERE n.account_id = k.account_id),
       (SELECT {zones} FROM hub_pbx p WHERE p.account_id = k.account_id)
FROM hub_apikey k JOIN hub_account a ON a.id = k.account_id
WHERE k.prefix = %s
"""


@dataclass(frozen=True)
class KeyAccess:
    """One key as the authentication path needs it, read in one statement on every request
    (nothing cached, so revoking a key or removing an address counts on the very next request)."""

    id: int
    account_id: int
    name: str
    prefix: str
    key_hash: str
    scopes: list[str]
    allowed_networks: list[str]
    account_name: str
    account_slug: str
    usable: bool  # neither revoked nor expired
    last_used_stale: bool  # last_used_at is due to be written
    account_networks: list[str]
    pbx_zones: dict[int, str]  # the account's PBXes: id → time zone


@cache
def _key_sql(vendor: str) -> str:
    aggregate = _AGGREGATE[vendor]
    return _KEY_SQL.format(networks=aggregate.format("n.network"),
                           zones=aggregate.format("CAST(p.id AS TEXT) || '=' || p.timezone"))


def _json_list(value) -> list:
    # The raw cursor hands JSON columns over as text on both databases (Django's own loader).
    return json.loads(value) if isinstance(value, str) else list(value or [])


def key_access(*, prefix: str, now: datetime, last_used_before: datetime) -> KeyAccess | None:
    rows = fetch_all(_key_sql(connection.vendor), [now, last_used_before, prefix])
    if not rows:
        return None
    (pk, account_id, name, key_prefix, key_hash, scopes, key_networks, account_name, account_slug, usable, stale,
     networks, zones) = rows[0]
    return KeyAccess(
        id=pk, account_id=account_id, name=name, prefix=key_prefix, key_hash=key_hash, scopes=_json_list(scopes),
        allowed_networks=_json_list(key_networks), account_name=account_name, account_slug=account_slug,
        usable=bool(usable), last_used_stale=bool(stale), account_networks=networks.split(",") if networks else [],
        pbx_zones={int(pbx_id): zone for pbx_id, _, zone in (item.partition("=") for item in (zones or "").split(",")
                                                              if item)})


def address_whitelisted_anywhere(*, address: str) -> bool:
    """Is the address on any account's whitelist? Only asked for bad keys, so cached briefly."""
    networks = django_cache.get(_ALL_NETWORKS_KEY)
    if networks is None:
        networks = sorted(set(AllowedNetwork.objects.values_list("network", flat=True)))
        django_cache.set(_ALL_NETWORKS_KEY, networks, _ALL_NETWORKS_SECONDS)
    return address_in(address, networks)


def forget_cached_networks() -> None:
    django_cache.delete(_ALL_NETWORKS_KEY)
