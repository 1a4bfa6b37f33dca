"""The one exception the transport raises; send() turns it into a SendResult."""
from __future__ import annotations


class TransportError(Exception):
    """A request that got no HTTP status. ``permanent``: the same request can never succeed."""

    def __init__(self, message: str, error_class: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.error_class = error_class  # "timeout" | "connection" | "dns" | "ssrf_refused" | "tls" | …
        self.permanent = permanent
        self.resolved_ip: str | None = None  # the address connected to, once the guard chose one
