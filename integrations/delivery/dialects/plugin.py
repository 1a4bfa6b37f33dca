"""``3cx-plugin-get`` / ``3cx-plugin-post``: the plugin's two schemes (GET query or POST JSON)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from ..headers import common_headers
from ..request import EndpointConfig, RenderedRequest
from .jsonbody import compact_json
from .plugin_events import Fields, PluginMessage, plugin_message
from .registry import register


def query_string(fields: Fields) -> str:
    # RFC 3986 escaping (space as %20): every receiver decodes it, and it survives proxies
    # that treat '+' literally. Field order is the plugin's.
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in fields)


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _json_headers(endpoint: EndpointConfig) -> dict[str, str]:
    headers = common_headers(endpoint.secret_token, endpoint.custom_headers)
    headers["Content-Type"] = "application/json"
    return headers


def _recording_request(message: PluginMessage, endpoint: EndpointConfig) -> RenderedRequest:
    # Both schemes POST recordings to WEBHOOK_POST_URL; RECORDING_FULL_INFO=1 repeats the
    # call-end fields, with FILES last as in seed 001's incoming example.
    fields = dict(message.fields) if endpoint.recording_full_info else {}
    body = compact_json({**fields, "FILES": message.files})
    return RenderedRequest("POST", endpoint.recording_url or endpoint.url, _json_headers(endpoint), body)


def _get(message: PluginMessage, endpoint: EndpointConfig) -> RenderedRequest:
    headers = common_headers(endpoint.secret_token, endpoint.custom_headers)
    return RenderedRequest("GET", _with_query(endpoint.url, query_string(message.fields)), headers)


def _post(message: PluginMessage, endpoint: EndpointConfig) -> RenderedRequest:
    return RenderedRequest("POST", endpoint.url, _json_headers(endpoint), compact_json(dict(message.fields)))


def _scheme(call_event: Callable[[PluginMessage, EndpointConfig], RenderedRequest]):
    def render(trigger: str, payload: Mapping[str, Any], endpoint: EndpointConfig) -> RenderedRequest | None:
        message = plugin_message(trigger, payload)
        if message is None:
            return None
        if message.files is not None:
            return _recording_request(message, endpoint)
        return call_event(message, endpoint)

    return render


register("3cx-plugin-get")(_scheme(_get))
register("3cx-plugin-post")(_scheme(_post))
