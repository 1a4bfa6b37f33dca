"""What the engine hands the pure delivery machinery: an endpoint's config, secrets and settings."""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q

from hub.models import SigningSecret, WebhookEndpoint
from integrations.delivery import EndpointConfig


def endpoint_config(endpoint: WebhookEndpoint) -> EndpointConfig:
    """Without secrets: the rendered request is frozen into the Delivery row, secrets never are."""
    return EndpointConfig(url=endpoint.url, dialect=endpoint.dialect, custom_headers=endpoint.headers or {},
                          event_paths=endpoint.event_paths or {}, recording_url=endpoint.recording_url or None,
                          recording_full_info=bool(endpoint.recording_full_info))


def secret_headers(endpoint: WebhookEndpoint) -> dict[str, str]:
    """Added at send time only (the dialects add the same names when given the secrets)."""
    headers = {}
    if endpoint.secret_token:
        headers["X-Pbx-Token"] = endpoint.secret_token
    if endpoint.bearer_token:
        headers["Authorization"] = f"Bearer {endpoint.bearer_token}"
    return headers


def signing_secrets(*, endpoint_id: int, now: datetime) -> list[str]:
    """The current secret and any rotated-out one that has not expired yet, newest first."""
    alive = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    return [s.secret for s in SigningSecret.objects.filter(alive, endpoint_id=endpoint_id)]


def retry_schedule() -> tuple[int, ...]:
    return tuple(settings.WEBHOOK_RETRY_SCHEDULE)


def allow_networks():
    return settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
