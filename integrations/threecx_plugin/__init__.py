"""The "3CX Webhook" plugin's requests (GET or POST), accepted as input."""
from .parser import parse_plugin_request

__all__ = ["parse_plugin_request"]
