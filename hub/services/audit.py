"""The account's audit log: every change and every sensitive read, written in the caller's transaction.

    audit_record(account=…, user=…, action="webhook.updated", obj=endpoint, summary=…, changes=…)
    changes = changes_between(before, after, secret_fields={"secret_token"})

An entry names who (the signed-in user's e-mail, an API key's prefix, or "system"), when, what
object, and for a change only the fields it touched with their value before and after.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hub.models import AuditEntry

# What a secret's before/after says: whether one was set, never its text.
SECRET_SET, SECRET_UNSET, SECRET_REPLACED = "set", "not set", "replaced"


def actor_name(*, user=None, api_key=None, actor: str = "") -> str:
    if actor:
        return actor
    if user is not None and (getattr(user, "email", "") or getattr(user, "username", "")):
        return user.email or user.username
    if api_key is not None:
        return f"API key {api_key.prefix}…"
    return "system"


def _plain(value: Any) -> Any:
    """A value the JSON column holds and a person reads: times as ISO text, sets as sorted lists."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _empty(value: Any) -> bool:
    # None, "", [] and {} all mean "nothing set": going from one to another is no change.
    return value is None or value in ("", [], {}, ())


def _secret_pair(before: Any, after: Any) -> list[str]:
    if before and after:
        return [SECRET_SET, SECRET_REPLACED]
    return [SECRET_SET if before else SECRET_UNSET, SECRET_SET if after else SECRET_UNSET]


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any], *,
                    secret_fields: Iterable[str] = ()) -> dict[str, list]:
    """{field: [before, after]} for each field of ``after`` whose value differs from ``before``'s
    (a field missing from ``before`` was unset: None). Secret fields say set / not set / replaced."""
    secret_fields = set(secret_fields)
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if _plain(old) == _plain(new) or (_empty(old) and _empty(new)):
            continue
        changes[name] = _secret_pair(old, new) if name in secret_fields else [_plain(old), _plain(new)]
    return changes


def audit_record(*, action: str, obj=None, account=None, account_id: int | None = None, user=None, api_key=None,
                 actor: str = "", object_type: str = "", object_id: str = "", summary: str = "",
                 changes: Mapping[str, list] | None = None) -> AuditEntry:
    """One entry; ``actor`` is kept as text, so the log still names a user deleted later."""
    return AuditEntry.objects.create(
        account_id=account_id if account_id is not None else account.pk,
        user=user if getattr(user, "pk", None) else None,
        actor=actor_name(user=user, api_key=api_key, actor=actor)[:200], action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        summary=summary, changes=dict(changes or {}))
