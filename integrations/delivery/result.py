"""What one delivery attempt came to: the attempt log's row and the retry policy's input."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SendResult:
    status_code: int | None  # None: no HTTP response (see error_class)
    duration_ms: int
    response_body: str = ""  # at most 16 KB of the body, decoded leniently
    response_headers: Mapping[str, str] = field(default_factory=dict)  # Retry-After, Location, …
    # None when a status came back; else "timeout" | "connection" | "dns" | "ssrf_refused" |
    # "tls" | "too_many_redirects" | "invalid_url" | "invalid_request" | "internal".
    error_class: str | None = None
    error_message: str = ""
    resolved_ip: str | None = None
    request_headers_masked: Mapping[str, str] = field(default_factory=dict)
    response_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
