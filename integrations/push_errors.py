"""The one error every push adapter raises for input it cannot accept.

Views turn it into a 400 naming ``field``, so callers can fix their request without reading logs.
"""
from __future__ import annotations


class PushError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
