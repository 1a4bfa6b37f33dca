"""Standard Webhooks signatures (formats.md §7): what receivers check with `standardwebhooks`/svix."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _random

from .request import RenderedRequest

PREFIX = "whsec_"
SECRET_BYTES = 32  # within Standard Webhooks' 24–64 byte range


def new_signing_secret() -> str:
    return PREFIX + base64.b64encode(_random.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("a signing secret starts with whsec_")
    return base64.b64decode(secret[len(PREFIX):], validate=True)


def sign(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<b64>`` per secret, space-separated: during rotation old and new both sign."""
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    signed = f"{msg_id}.{int(timestamp)}.".encode() + body
    signatures = (
        "v1," + base64.b64encode(hmac.new(_key(s), signed, hashlib.sha256).digest()).decode("ascii")
        for s in secrets
    )
    return " ".join(signatures)


def signature_headers(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    # Receivers reject ids with whitespace or a timestamp far from now; both are ours to get right.
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": sign(secrets, msg_id, timestamp, body),
    }


def sign_request(request: RenderedRequest, secrets: list[str], msg_id: str, timestamp: int) -> RenderedRequest:
    """The request with this attempt's signature headers; ``msg_id`` stays the same across retries."""
    if not secrets:
        return request
    return request.with_headers(signature_headers(secrets, msg_id, timestamp, request.body))
