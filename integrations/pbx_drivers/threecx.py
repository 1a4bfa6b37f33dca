"""3CX v20 Call Control API.

Shapes followed (3CX v20 "Call Control API" docs, https://www.3cx.com/docs/call-control-api/, as
used by public clients of it):
- ``POST {base}/connect/token``, form ``client_id``, ``client_secret``,
  ``grant_type=client_credentials`` → ``{"token_type": "Bearer", "expires_in": <seconds>,
  "access_token": …}``. The client id is the API integration's (service principal's) id.
- ``POST {base}/callcontrol/{dn}/makecall``, ``Authorization: Bearer …``, JSON
  ``{"destination": "<number>"}`` → ``CallControlResultResponse`` = ``{"finalstatus":
  "Success"|…, "reason", "reasontext", "result": {"id": <participant>, "callid": <call>, …}}``.
  3CX rings the DN's devices first and dials ``destination`` once one answers.
The request has no caller-id field: 3CX presents the caller id its outbound rules give the DN,
so ``caller_id`` is not sent.
"""
from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import quote

import requests

from integrations.pbx_drivers.base import RINGING_USER, DriverConfig, DriverError, DriverResult
from integrations.pbx_drivers.http import body_excerpt, json_of, send

VENDOR = "3CX"
# A token is reused until this long before it expires, so it never dies in flight.
EXPIRY_MARGIN_SECONDS = 30.0


class _Token:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: str | None = None
        self.expires_at = 0.0  # time.monotonic()


class TokenCache:
    """Access tokens per (PBX, client id, secret), shared by every call a worker process places."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], _Token] = {}

    def entry(self, base_url: str, client_id: str, secret: str) -> _Token:
        key = (base_url, client_id, hashlib.sha256(secret.encode()).hexdigest())
        with self._lock:
            return self._tokens.setdefault(key, _Token())

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


TOKENS = TokenCache()


class ThreeCxDriver:
    name = "3cx"
    # 3CX's call id is the ``Call(C:N)`` number of its CallFlow log, which ingest stores.
    reference_is_log_call_id = True

    def __init__(self, config: DriverConfig, *, session: requests.Session | None = None):
        if not config.base_url:
            raise DriverError("3CX call control has no base URL configured")
        if not config.username or not config.secret:
            raise DriverError("3CX call control needs a client id and client secret")
        self.config = config
        self.base = config.base_url.rstrip("/")
        self.session = session or requests.Session()

    def originate(self, *, user: str, number: str, caller_id: str | None = None) -> DriverResult:
        token = self._token()
        response = self._makecall(token, user, number)
        if response.status_code == 401:
            # Revoked or expired early (a PBX restart): fetch a new token once and retry.
            token = self._token(stale=token)
            response = self._makecall(token, user, number)
        return self._result(response, user)

    def _token(self, *, stale: str | None = None) -> str:
        entry = TOKENS.entry(self.base, self.config.username, self.config.secret)
        with entry.lock:  # one fetch per PBX at a time; the others wait and reuse it
            fresh = entry.value and entry.value != stale and time.monotonic() < entry.expires_at
            if not fresh:
                entry.value, lifetime = self._fetch_token()
                entry.expires_at = time.monotonic() + max(0.0, lifetime - min(EXPIRY_MARGIN_SECONDS, lifetime / 2))
            return entry.value

    def _fetch_token(self) -> tuple[str, float]:
        url = f"{self.base}/connect/token"
        form = {"client_id": self.config.username, "client_secret": self.config.secret,
                "grant_type": "client_credentials"}
        response = send(self.session, "POST", url, vendor=VENDOR, timeout=self.config.timeout_seconds, data=form)
        if response.status_code in (400, 401, 403):
            raise DriverError(f"3CX refused the client credentials (HTTP {response.status_code} from "
                              f"/connect/token): check the client id and secret")
        if response.status_code != 200:
            raise DriverError(f"3CX answered HTTP {response.status_code} to /connect/token: "
                              f"{body_excerpt(response)!r}")
        body = json_of(response, vendor=VENDOR, what="/connect/token")
        if not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise DriverError("3CX's /connect/token reply has no access_token")
        try:
            lifetime = float(body.get("expires_in", 60))
        except (TypeError, ValueError):
            lifetime = 60.0
        return body["access_token"], lifetime

    def _makecall(self, token: str, user: str, number: str) -> requests.Response:
        url = f"{self.base}/callcontrol/{quote(user, safe='')}/makecall"
        return send(self.session, "POST", url, vendor=VENDOR, timeout=self.config.timeout_seconds,
                    json={"destination": number}, headers={"Authorization": f"Bearer {token}"})

    def _result(self, response: requests.Response, user: str) -> DriverResult:
        if response.status_code == 401:
            raise DriverError("3CX refused the access token twice (HTTP 401 from makecall)")
        if response.status_code == 403:
            raise DriverError(f"3CX forbids this API client to control extension {user} (HTTP 403); "
                              f"add the extension to the integration's DNs")
        if response.status_code == 404:
            raise DriverError(f"3CX does not know extension {user} (HTTP 404 from makecall)")
        if not 200 <= response.status_code < 300:
            raise DriverError(f"3CX answered HTTP {response.status_code} to makecall: {body_excerpt(response)!r}")
        body = json_of(response, vendor=VENDOR, what="makecall")
        if str(body.get("finalstatus", "Success")).lower() != "success":
            why = body.get("reasontext") or body.get("reason") or body.get("finalstatus")
            raise DriverError(f"3CX did not place the call: {why}")
        result = body.get("result") if isinstance(body.get("result"), dict) else {}
        reference = result.get("callid") or result.get("id")
        if reference in (None, ""):
            raise DriverError("3CX accepted makecall but its reply names no call id")
        return DriverResult(reference=str(reference), status=RINGING_USER)
