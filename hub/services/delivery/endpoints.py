"""Webhook endpoints: create, update, delete, re-enable, rotate the signing secret. Audited."""
from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from hub.catalogue import CATALOGUE
from hub.errors import InvalidInput
from hub.models import Account, Dialect, RetryPolicy, SigningSecret, WebhookEndpoint
from hub.selectors.delivery import signing_secrets_active
from hub.services.audit import SECRET_REPLACED, SECRET_SET, audit_record, changes_between
from hub.services.delivery.config import allow_networks
from hub.services.delivery.enqueue import endpoints_wake_on_commit
from hub.services.delivery.filters import filter_problems
from integrations.delivery import custom_header_problems, new_signing_secret
from integrations.delivery.dialects.rest import DEFAULT_PATHS
from integrations.delivery.ssrf import refusal

ROTATION_OVERLAP = timedelta(hours=24)
MAX_TIMEOUT_SECONDS = 30
MAX_CONCURRENCY = 256
EDITABLE = ("name", "url", "enabled", "dialect", "triggers", "secret_token", "bearer_token", "event_paths",
            "recording_url", "recording_full_info", "headers", "filters", "timeout_seconds", "max_concurrency",
            "retry_policy")
SECRET_FIELDS = ("secret_token", "bearer_token")


def _check_triggers(triggers: Any) -> None:
    if not isinstance(triggers, list) or not all(isinstance(t, str) for t in triggers):
        raise InvalidInput("triggers", "must be a list of catalogue keys")
    unknown = [t for t in triggers if t not in CATALOGUE]
    if unknown:
        raise InvalidInput("triggers", f"unknown trigger(s) {', '.join(unknown)}")


def _check_paths(paths: Any) -> None:
    if not isinstance(paths, dict) or not all(isinstance(v, str) for v in paths.values()):
        raise InvalidInput("event_paths", "must map trigger keys to paths ('' switches one off)")
    unknown = [t for t in paths if t not in CATALOGUE]
    if unknown:
        raise InvalidInput("event_paths", f"unknown trigger(s) {', '.join(unknown)}")


def _check_headers(headers: Any) -> None:
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise InvalidInput("headers", "must be an object of header names to string values")
    problems = custom_header_problems(headers)
    if problems:
        raise InvalidInput("headers", problems[0])


def _check_number(field: str, value: Any, top: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
        raise InvalidInput(field, f"must be a whole number from 1 to {top}")


def _check(fields: dict[str, Any]) -> None:
    checks = {
        "triggers": _check_triggers, "event_paths": _check_paths, "headers": _check_headers,
        "timeout_seconds": lambda v: _check_number("timeout_seconds", v, MAX_TIMEOUT_SECONDS),
        "max_concurrency": lambda v: _check_number("max_concurrency", v, MAX_CONCURRENCY),
    }
    for name, value in fields.items():
        if name in checks:
            checks[name](value)
    if "retry_policy" in fields and fields["retry_policy"] not in RetryPolicy.values:
        raise InvalidInput("retry_policy", f"unknown retry policy {fields['retry_policy']!r}; "
                                           f"known: {', '.join(RetryPolicy.values)}")
    if "dialect" in fields and fields["dialect"] not in Dialect.values:
        raise InvalidInput("dialect", f"unknown dialect {fields['dialect']!r}; known: {', '.join(Dialect.values)}")
    if "filters" in fields and (problems := filter_problems(fields["filters"])):
        raise InvalidInput("filters", problems[0])
    if "url" in fields:
        _check_url(str(fields["url"]))
    if fields.get("recording_url"):
        _check_url(str(fields["recording_url"]), field="recording_url")
    if "recording_full_info" in fields and not isinstance(fields["recording_full_info"], bool):
        raise InvalidInput("recording_full_info", "must be true or false")


def _check_url(url: str, *, field: str = "url") -> None:
    """Refuse at save what the send-time SSRF guard would refuse on every attempt.

    Only an address written in the URL (or localhost) is judged here: what a name resolves to
    can change, so the guard judges names when it connects.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidInput(field, "must be an http:// or https:// URL")
    host = (urlsplit(url).hostname or "").lower()
    literal = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    try:
        ip = ipaddress.ip_address(literal)
    except ValueError:
        return
    if refusal(ip, allow_networks()):
        raise InvalidInput(field, f"{host} is a private or internal address, which the hub does not send to. "
                                  "Use the receiver's public address, or ask the hub's operator to allow that network "
                                  "(WEBHOOK_ALLOW_PRIVATE_NETWORKS).")


def _audit(*, endpoint: WebhookEndpoint, action: str, actor: str, user, summary: str, changes=None) -> None:
    audit_record(account_id=endpoint.account_id, actor=actor, user=user, action=action, obj=endpoint,
                 object_type="webhook", summary=summary, changes=changes)


def _values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {name: getattr(endpoint, name) for name in EDITABLE}


@transaction.atomic
def webhook_endpoint_create(*, account: Account, url: str, triggers: list[str], actor: str, user=None,
                            **fields: Any) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret, whose text is shown to the caller this once."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a field of a webhook endpoint")
    fields = {"url": url, "triggers": triggers, **fields}
    _check(fields)
    if fields.get("dialect") == Dialect.TO_REST and not fields.get("event_paths"):
        fields["event_paths"] = dict(DEFAULT_PATHS)
    endpoint = WebhookEndpoint.objects.create(account=account, **fields)
    secret = new_signing_secret()
    SigningSecret.objects.create(endpoint=endpoint, secret=secret)
    _audit(endpoint=endpoint, action="webhook.created", actor=actor, user=user,
           summary=f"created webhook {endpoint.url} ({endpoint.dialect}; {', '.join(endpoint.triggers)})",
           changes=changes_between({}, _values(endpoint), secret_fields=SECRET_FIELDS))
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor: str, user=None, **fields: Any) -> WebhookEndpoint:
    """Change fields; already queued deliveries keep the request frozen when they were created.
    Setting ``enabled`` to true is a re-enable (health cleared, waiting deliveries woken)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a field of a webhook endpoint")
    _check(fields)
    re_enable = fields.get("enabled") is True and not endpoint.enabled
    if fields.get("dialect") == Dialect.TO_REST and endpoint.dialect != Dialect.TO_REST and not (
            fields.get("event_paths") or endpoint.event_paths):
        fields["event_paths"] = dict(DEFAULT_PATHS)
    before = _values(endpoint)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save()
    if re_enable:
        _enable(endpoint)
    # Only what really changed, and for secrets only whether one is set: never their values.
    changes = changes_between(before, {name: fields[name] for name in fields}, secret_fields=SECRET_FIELDS)
    if changes:
        _audit(endpoint=endpoint, action="webhook.updated", actor=actor, user=user,
               summary=f"changed {', '.join(sorted(changes))}", changes=changes)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: str, user=None) -> None:
    _audit(endpoint=endpoint, action="webhook.deleted", actor=actor, user=user, summary=f"deleted webhook {endpoint.url}",
           changes=changes_between(_values(endpoint), dict.fromkeys(EDITABLE), secret_fields=SECRET_FIELDS))
    endpoint.delete()


def _enable(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, disabled_at=None, disabled_reason="", consecutive_failures=0, failing_since=None,
        last_failure_reason="")
    endpoint.refresh_from_db()
    endpoints_wake_on_commit([endpoint.pk])


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint, actor: str, user=None) -> WebhookEndpoint:
    """Re-enable (after a 410 or the automatic disable): health starts afresh, waiting deliveries go."""
    was_enabled = endpoint.enabled
    _enable(endpoint)
    _audit(endpoint=endpoint, action="webhook.enabled", actor=actor, user=user, summary="re-enabled",
           changes=changes_between({"enabled": was_enabled}, {"enabled": True}))
    return endpoint


@transaction.atomic
def signing_secret_rotate(*, endpoint: WebhookEndpoint, actor: str, user=None,
                          now: datetime | None = None) -> str:
    """A new secret signs from now on; the current one keeps signing beside it for 24 h."""
    now = now or timezone.now()
    SigningSecret.objects.filter(endpoint=endpoint, expires_at__isnull=True).update(expires_at=now + ROTATION_OVERLAP)
    secret = new_signing_secret()
    row = SigningSecret.objects.create(endpoint=endpoint, secret=secret)
    SigningSecret.objects.filter(pk=row.pk).update(created_at=now)
    # The workers' engines read an endpoint's secrets again when its row changes.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(updated_at=now)
    _audit(endpoint=endpoint, action="webhook.secret_rotated", actor=actor, user=user,
           summary="rotated the signing secret; the old one signs beside the new one for 24 hours",
           changes={"signing_secret": [SECRET_SET, SECRET_REPLACED]})
    return secret


@transaction.atomic
def signing_secrets_reveal(*, endpoint: WebhookEndpoint, actor: str, user=None) -> list[SigningSecret]:
    """The secrets signing now (see signing_secrets_active); a sensitive read, so it is audited."""
    secrets = signing_secrets_active(endpoint=endpoint)
    _audit(endpoint=endpoint, action="webhook.secret_revealed", actor=actor, user=user,
           summary=f"revealed the signing secret{'s' if len(secrets) > 1 else ''} of {endpoint}")
    return secrets
