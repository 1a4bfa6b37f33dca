"""``3cx-to-rest``: seed 000's requests, POST base URL + one path per event (formats.md §6)."""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..headers import common_headers
from ..request import EndpointConfig, RenderedRequest
from .jsonbody import go_json
from .registry import register

# The paths of seed 000's README example config: an endpoint's event_paths start as these.
DEFAULT_PATHS: Mapping[str, str] = MappingProxyType({
    "call_received": "/call/received",
    "call_queue_transfer": "/call/queue-transfer",
    "callback_requested": "/call/callback-requested",
    "callback_initiated": "/call/callback-initiated",
    "callback_failed": "/call/callback-failed",
    "call_answered": "/call/answered",
    "call_terminated": "/call/terminated",
    "call_dtmf": "/call/dtmf",
    "agent_status": "/agent/status",
    "call_direct": "/call/direct",
})

# Seed 000's queue events call did and trunk optional (they need the CallFlow log): like Go's
# `omitempty`, an empty value is left out. Its call_direct always sends them, "" on an
# internal call (6 of the sample's 17), as the json dialect does.
_OMIT_WHEN_EMPTY: Mapping[str, frozenset[str]] = MappingProxyType(
    {trigger: frozenset({"did", "trunk"}) for trigger in DEFAULT_PATHS if trigger != "call_direct"})


def path_for(trigger: str, endpoint: EndpointConfig) -> str:
    # Seed 000: "Leave an endpoint empty ("" or omit the key) to disable that event type". An
    # endpoint with no paths at all has the README's example config.
    return (endpoint.event_paths or DEFAULT_PATHS).get(trigger, "")


def join_url(base: str, path: str) -> str:
    # The tool concatenates; one slash between the parts is what both sides meant.
    return base.rstrip("/") + "/" + path.lstrip("/")


@register("3cx-to-rest")
def render_rest(trigger: str, payload: Mapping[str, Any], endpoint: EndpointConfig) -> RenderedRequest | None:
    path = path_for(trigger, endpoint)
    if not path:
        return None  # seed 000: an empty or missing path disables the event
    omit = _OMIT_WHEN_EMPTY.get(trigger, frozenset())
    body = {k: v for k, v in payload.items() if not (k in omit and v in ("", None))}
    headers = common_headers(endpoint.secret_token, endpoint.custom_headers)
    headers["Content-Type"] = "application/json"
    if endpoint.bearer_token:
        headers["Authorization"] = f"Bearer {endpoint.bearer_token}"
    return RenderedRequest("POST", join_url(endpoint.url, path), headers, go_json(body))
