"""Sending pushes the way a PBX does: raw bytes, its own content type, no CSRF token."""
from __future__ import annotations

import json
from typing import Any

from django.test import Client

NATIVE = "/ingest/events/{token}/"
PLUGIN = "/ingest/3cx-webhook/{token}/"


def push_json(client: Client, token: str, payload: Any, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(NATIVE.format(token=token), data=body, content_type="application/json", **extra)


def plugin_get(client: Client, token: str, query: str, **extra):
    # The plugin writes its query string unencoded (spaces and all, seed 002).
    return client.get(f"{PLUGIN.format(token=token)}?{query}", **extra)


def plugin_post(client: Client, token: str, body: bytes | str | dict, content_type: str = "application/json"):
    data = json.dumps(body) if isinstance(body, dict) else body
    return client.post(PLUGIN.format(token=token), data=data, content_type=content_type)


def accepted(received: int, stored: int, duplicates: int = 0) -> dict:
    return {"status": "accepted", "received": received, "stored": stored, "duplicates": duplicates}
