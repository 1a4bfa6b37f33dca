"""Secrets at rest: Fernet with key rotation, and keyed hashes for values we only compare.

HUB_ENCRYPTION_KEY holds one or more Fernet keys, newest first. New values are encrypted with
the first; every listed key still decrypts, so keys rotate by prepending a new one and running
``manage.py rotate_secrets`` before the old one is dropped.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _derived_key(label: str) -> bytes:
    # Development fallback only (DEBUG): production must set HUB_ENCRYPTION_KEY.
    digest = hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _fernet() -> MultiFernet:
    keys = settings.HUB_ENCRYPTION_KEYS or [_derived_key("hub-encryption").decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured("HUB_ENCRYPTION_KEY: each key must be 32 url-safe base64 bytes (Fernet.generate_key())") from None


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("a stored secret cannot be decrypted with any key in HUB_ENCRYPTION_KEY") from None


def rotate(token: str) -> str:
    """Re-encrypt under the newest key."""
    return _fernet().rotate(token.encode()).decode()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a secret we only need to recognise (API keys, ingest tokens)."""
    key = hashlib.sha256(f"hub-hmac:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hashes_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code only ever sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
