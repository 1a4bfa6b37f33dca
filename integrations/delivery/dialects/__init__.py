"""Output dialects: each renders one catalogue event for one endpoint, or None.

Importing the dialect modules registers them.
"""
from . import native_json, plugin, rest  # noqa: F401  (registration side effect)
from .registry import DIALECTS, Renderer, register, render

__all__ = ["DIALECTS", "Renderer", "register", "render"]
