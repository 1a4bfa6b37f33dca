"""Asterisk REST Interface: originate a channel to the user's endpoint that, once answered, runs
the dialplan at ``<number>@<context>`` — the user's phone rings first, then the number is dialled.

``POST {base}/ari/channels`` with ``endpoint``, ``extension``, ``context``, ``priority``,
``callerId`` and ``timeout`` as query parameters (the ARI reference accepts every originate
parameter in the query string), HTTP basic auth; the reply is the new Channel, whose ``id`` is
the reference.
"""
from __future__ import annotations

import requests

from integrations.pbx_drivers.base import RINGING_USER, DriverConfig, DriverError, DriverResult
from integrations.pbx_drivers.http import body_excerpt, json_of, send

VENDOR = "Asterisk ARI"
DEFAULT_CONTEXT = "default"
# How long Asterisk rings the user's endpoint before giving up (ARI's own default is 30 s).
RING_SECONDS = 30


class AriDriver:
    name = "ari"
    reference_is_log_call_id = False

    def __init__(self, config: DriverConfig, *, session: requests.Session | None = None):
        if not config.base_url:
            raise DriverError("Asterisk ARI call control has no base URL configured")
        self.config = config
        self.base = config.base_url.rstrip("/")
        self.session = session or requests.Session()

    def originate(self, *, user: str, number: str, caller_id: str | None = None) -> DriverResult:
        params = {"endpoint": f"PJSIP/{user}", "extension": number,
                  "context": self.config.context or DEFAULT_CONTEXT, "priority": "1", "timeout": str(RING_SECONDS)}
        if caller_id:
            params["callerId"] = caller_id
        response = send(self.session, "POST", f"{self.base}/ari/channels", vendor=VENDOR,
                        timeout=self.config.timeout_seconds, params=params,
                        auth=(self.config.username, self.config.secret))
        if response.status_code == 401:
            raise DriverError("Asterisk ARI refused the user name and password (HTTP 401)")
        if response.status_code == 400:
            raise DriverError(f"Asterisk ARI rejected the request (HTTP 400): {body_excerpt(response)!r}")
        if not 200 <= response.status_code < 300:
            raise DriverError(f"Asterisk ARI answered HTTP {response.status_code} to originate: "
                              f"{body_excerpt(response)!r}")
        channel_id = json_of(response, vendor=VENDOR, what="originate").get("id")
        if not channel_id:
            raise DriverError("Asterisk ARI created a channel but its reply names no channel id")
        return DriverResult(reference=str(channel_id), status=RINGING_USER)
