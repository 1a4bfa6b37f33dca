from __future__ import annotations

import secrets
from datetime import datetime

from hub.crypto import keyed_hash
from hub.errors import InvalidInput
from hub.models import ALL_SCOPES, Account, ApiKey

KEY_PURPOSE = "api-key"
# The visible part tells a key apart in logs and the UI; the rest is the secret.
KEY_PREFIX = "pbxh"


def api_key_create(*, account: Account, name: str, scopes: list[str] | None = None,
                   expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its full text, which is never stored nor shown again."""
    scopes = list(ALL_SCOPES if scopes is None else scopes)
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise InvalidInput("scopes", f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}")
    lookup = secrets.token_hex(6)
    full_key = f"{KEY_PREFIX}_{lookup}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        account=account, name=name or "key", prefix=lookup, scopes=scopes, expires_at=expires_at,
        key_hash=keyed_hash(full_key, purpose=KEY_PURPOSE),
    )
    return api_key, full_key


def api_key_revoke(*, account: Account, key_id: int, actor: str = "cli", user=None) -> ApiKey:
    """Revoke one of the account's keys at once (idempotent); the change goes to the audit log."""
    from django.db import transaction
    from django.utils import timezone

    from hub.errors import NotFound
    from hub.models import AuditEntry

    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(account=account, pk=key_id).first()
        if api_key is None:
            raise NotFound(f"no API key {key_id} in account {account.slug!r}")
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
            AuditEntry.objects.create(account=account, user=user, actor=actor, action="api_key.revoked",
                                      object_type="api_key", object_id=str(api_key.pk),
                                      summary=f"revoked API key {api_key.name!r} ({api_key.prefix}…)",
                                      changes={"revoked_at": [None, api_key.revoked_at.isoformat()]})
    return api_key
