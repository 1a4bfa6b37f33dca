"""Issuing API keys from the web console: the key plus its audit line, together."""
from __future__ import annotations

from django.db import transaction

from hub.models import Account, ApiKey
from hub.services.api_keys import api_key_create
from hub.services.audit import audit_record


@transaction.atomic
def api_key_issue(*, account: Account, user, name: str, scopes: list[str] | None, actor: str = "") -> tuple[ApiKey, str]:
    """A new key and its audit line; ``scopes`` None is every scope (the command line's default)."""
    api_key, full_key = api_key_create(account=account, name=name, scopes=scopes)
    scopes = list(api_key.scopes)
    audit_record(account=account, user=user, actor=actor, action="api_key.created", obj=api_key,
                 summary=f"created API key {api_key.name!r} ({api_key.prefix}…) with {', '.join(scopes) or 'no scopes'}",
                 changes={"name": [None, api_key.name], "prefix": [None, api_key.prefix], "scopes": [None, scopes],
                          "expires_at": [None, api_key.expires_at.isoformat() if api_key.expires_at else None]})
    return api_key, full_key
