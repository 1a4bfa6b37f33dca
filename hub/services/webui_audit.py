"""One line in the account's audit log, written in the same transaction as the change."""
from __future__ import annotations

from hub.models import Account, AuditEntry


def audit_record(*, account: Account, user, action: str, obj, summary: str) -> AuditEntry:
    """``actor`` is the signed-in user's e-mail, kept even if the user is deleted later."""
    return AuditEntry.objects.create(
        account=account, user=user, actor=getattr(user, "email", "") or getattr(user, "username", "") or "system",
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk), summary=summary)
