"""API keys: who is calling (authentication), from where (whitelist), may they (scopes), how often.

A key arrives in the cloud PBX's ``token`` header, as ``Authorization: Bearer`` or as
``X-Api-Key``. Unknown, revoked and expired keys get one and the same 401, so a caller learns
nothing about which keys exist; a caller from an address outside the whitelist is told only that.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from hub.crypto import hashes_match, keyed_hash
from hub.logs.context import log_bind
from hub.models import Account, ApiKey, Scope
from hub.selectors.access import KeyAccess, address_whitelisted_anywhere, key_access
from hub.net import address_in, client_ip
from hub.services.api_keys import KEY_PREFIX, KEY_PURPOSE

INVALID_KEY = "Not authorised: invalid or missing API key"
# A key is written at most once a minute: a busy CRM must not turn every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class NotWhitelisted(exceptions.AuthenticationFailed):
    def __init__(self, address: str):
        super().__init__(f"Not authorised: address {address} is not whitelisted")


def presented_key(request) -> str | None:
    meta = request.META
    if meta.get("HTTP_TOKEN"):
        return meta["HTTP_TOKEN"].strip()
    scheme, _, value = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (meta.get("HTTP_X_API_KEY") or "").strip() or None


def _api_key(access: KeyAccess) -> ApiKey:
    """The key and its account as model instances, without another query (the fields not read
    here load on first access). The account's PBX time zones ride along for history reads."""
    account = Account.from_db(DEFAULT_DB_ALIAS, ["id", "name", "slug"],
                              [access.account_id, access.account_name, access.account_slug])
    api_key = ApiKey.from_db(DEFAULT_DB_ALIAS, ["id", "account_id", "name", "prefix", "key_hash", "scopes",
                                                "allowed_networks"],
                             [access.id, access.account_id, access.name, access.prefix, access.key_hash,
                              access.scopes, access.allowed_networks])
    api_key.account = account
    api_key.pbx_zones = access.pbx_zones
    return api_key


def _lookup(full_key: str | None) -> KeyAccess | None:
    parts = (full_key or "").split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX or not parts[1] or len(full_key) > 200:
        return None
    now = timezone.now()
    access = key_access(prefix=parts[1], now=now, last_used_before=now - LAST_USED_GRANULARITY)
    if access is None or not hashes_match(access.key_hash, keyed_hash(full_key, purpose=KEY_PURPOSE)):
        return None
    return access if access.usable else None


def _mark_used(access: KeyAccess) -> None:
    if not access.last_used_stale:
        return
    now = timezone.now()
    # Conditional: of many concurrent requests only one writes.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_GRANULARITY)
    ApiKey.objects.filter(pk=access.id).filter(stale).update(last_used_at=now)


def _whitelisted(access: KeyAccess, address: str) -> bool:
    if not address_in(address, access.account_networks):
        return False
    return not access.allowed_networks or address_in(address, access.allowed_networks)


class ApiKeyAuthentication(BaseAuthentication):
    """``request.user`` and ``request.auth`` are both the ApiKey; its account scopes every query."""

    def authenticate(self, request):
        address = client_ip(request)
        access = _lookup(presented_key(request))
        if access is None:
            # Outside every whitelist a bad key gets the same answer as a good one, so keys
            # cannot be probed from the internet at large.
            if not address_whitelisted_anywhere(address=address):
                raise NotWhitelisted(address)
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        if not _whitelisted(access, address):
            raise NotWhitelisted(address)
        _mark_used(access)
        log_bind(account=access.account_id)
        api_key = _api_key(access)
        return api_key, api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # makes DRF answer 401 rather than 403


class _ScopeRequired(BasePermission):
    scope: str = ""

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            raise exceptions.NotAuthenticated(INVALID_KEY)
        if self.scope not in (api_key.scopes or []):
            raise exceptions.PermissionDenied(f"Forbidden: this API key lacks the {self.scope} scope")
        return True


class CanReadCalls(_ScopeRequired):
    scope = Scope.CALLS_READ.value


class CanPlaceCalls(_ScopeRequired):
    scope = Scope.CALLS_PLACE.value


class CanManageWebhooks(_ScopeRequired):
    scope = Scope.WEBHOOKS_MANAGE.value


class ApiKeyRateThrottle(SimpleRateThrottle):
    """HUB_API_RATE per key, counted in the default cache (shared when CACHE_URL is Redis)."""

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.HUB_API_RATE

    def get_cache_key(self, request, view) -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.prefix}
