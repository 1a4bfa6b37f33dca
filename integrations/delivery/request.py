"""What a dialect produces and what it needs to know about the endpoint."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class RenderedRequest:
    """One HTTP request, frozen: retries re-send exactly these bytes (only signatures change)."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    def with_headers(self, extra: Mapping[str, str]) -> RenderedRequest:
        return replace(self, headers={**self.headers, **extra})


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """The parts of a webhook endpoint that shape its requests (the engine builds it from its model)."""

    url: str
    dialect: str = "json"
    secret_token: str | None = None  # sent as X-Pbx-Token (the cloud PBX's "Secret Token")
    custom_headers: Mapping[str, str] = field(default_factory=dict)
    bearer_token: str | None = None  # 3cx-to-rest: Authorization: Bearer <token>
    # 3cx-to-rest: trigger -> path; "" or a trigger left out switches it off (seed 000's rule);
    # none at all: seed 000's example paths.
    event_paths: Mapping[str, str] = field(default_factory=dict)
    # 3cx-plugin-*: the plugin's WEBHOOK_POST_URL for recording messages (None = url).
    recording_url: str | None = None
    # 3cx-plugin-*: RECORDING_FULL_INFO=1 (the seeds' documented setting): the recording
    # message repeats the call-end fields next to FILES.
    recording_full_info: bool = True
