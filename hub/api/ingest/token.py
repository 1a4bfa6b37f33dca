"""The ingest token sent in a header, for the push URLs that carry none."""
from __future__ import annotations


def header_token(request) -> str | None:
    """``Authorization: Bearer <token>`` or ``X-Pbx-Token: <token>``; None when neither is sent."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_PBX_TOKEN", "").strip() or None
