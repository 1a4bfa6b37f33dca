"""Who may read /metrics: a client in METRICS_ALLOWED_NETWORKS (loopback by default), or one
presenting METRICS_TOKEN as a bearer token. The counters name PBXs, routes and volumes: not
for the internet at large."""
from __future__ import annotations

import hmac

from django.conf import settings

from hub.net import address_in


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def metrics_access_allowed(*, address: str | None, authorization: str | None) -> bool:
    """``address``: the scraper's, None when it cannot be known (then only the token opens)."""
    if address is not None and address_in(address, [str(n) for n in settings.METRICS_ALLOWED_NETWORKS]):
        return True
    expected, presented = settings.METRICS_TOKEN, bearer_token(authorization)
    # Constant time: the comparison must not tell a prober how much of a guess was right.
    return bool(expected and presented) and hmac.compare_digest(presented.encode(), expected.encode())
