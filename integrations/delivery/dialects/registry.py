"""Dialect name -> renderer. Dialect modules register themselves; nothing branches on names."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..request import EndpointConfig, RenderedRequest

Renderer = Callable[[str, Mapping[str, Any], EndpointConfig], "RenderedRequest | None"]

DIALECTS: dict[str, Renderer] = {}


def register(name: str) -> Callable[[Renderer], Renderer]:
    def add(renderer: Renderer) -> Renderer:
        if name in DIALECTS:
            raise ValueError(f"dialect {name!r} registered twice")
        DIALECTS[name] = renderer
        return renderer

    return add


def render(trigger: str, payload: Mapping[str, Any], endpoint: EndpointConfig) -> RenderedRequest | None:
    """The request ``endpoint`` gets for one catalogue event; None if its dialect sends nothing.

    KeyError for a dialect the hub does not know (the engine validates names at save time).
    """
    return DIALECTS[endpoint.dialect](trigger, payload, endpoint)
