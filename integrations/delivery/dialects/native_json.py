"""``json``: the hub's native dialect, the cloud PBX's webhook body (formats.md §5)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..headers import common_headers
from ..request import EndpointConfig, RenderedRequest
from .jsonbody import compact_json
from .registry import register


@register("json")
def render_json(trigger: str, payload: Mapping[str, Any], endpoint: EndpointConfig) -> RenderedRequest:
    # `type` leads, as in the cloud PBX's bodies; seed-000 payloads get one too.
    body = {"type": trigger, **{k: v for k, v in payload.items() if k != "type"}}
    headers = common_headers(endpoint.secret_token, endpoint.custom_headers)
    headers["Content-Type"] = "application/json"
    return RenderedRequest("POST", endpoint.url, headers, compact_json(body))
