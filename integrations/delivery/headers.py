"""Headers every dialect sends, and the names a custom header may not take."""
from __future__ import annotations

from collections.abc import Mapping

HUB_VERSION = "1.0.0"
USER_AGENT = f"pbx-webhook-hub/{HUB_VERSION}"

# The hub owns these: a custom header must not forge a signature or break the framing.
RESERVED_HEADERS = frozenset({
    "host", "content-length", "transfer-encoding", "connection", "content-type",
    "webhook-id", "webhook-timestamp", "webhook-signature", "user-agent",
    "x-pbx-token", "authorization",
})


def custom_header_problems(headers: Mapping[str, str]) -> list[str]:
    """Why the engine should refuse these custom headers at save time; [] if fine."""
    problems = []
    for name, value in headers.items():
        if name.lower() in RESERVED_HEADERS:
            problems.append(f"{name}: set by the hub, cannot be overridden")
        elif not name or any(c in name for c in " :\r\n\t") or not name.isascii():
            problems.append(f"{name!r}: not a valid header name")
        elif any(c in str(value) for c in "\r\n\0"):
            problems.append(f"{name}: value contains a line break")
    return problems


def common_headers(
    secret_token: str | None, custom_headers: Mapping[str, str], user_agent: str = USER_AGENT
) -> dict[str, str]:
    # Reserved names are dropped here too, so a bad row in the DB still cannot forge them.
    headers = {
        name: str(value) for name, value in custom_headers.items()
        if name.lower() not in RESERVED_HEADERS
    }
    headers["User-Agent"] = user_agent
    if secret_token:
        headers["X-Pbx-Token"] = secret_token
    return headers
