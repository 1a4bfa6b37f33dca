"""One HTTP request through the SSRF guard, with a hard deadline and a capped response read.

Raises only TransportError (no HTTP status came back); any status, 2xx or not, is a Response.
"""
from __future__ import annotations

import http.cookiejar
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import requests
import urllib3.exceptions
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from . import watchdog
from .adapter import PIN_ATTRIBUTE, PinnedAdapter
from .errors import TransportError
from .request import RenderedRequest
from .ssrf import Network, pin

MAX_RESPONSE_BYTES = 16 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Response:
    status_code: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes  # at most MAX_RESPONSE_BYTES
    truncated: bool
    read_error: str | None  # the status came, but reading the body failed or hit the deadline
    resolved_ip: str


def _new_session(verify: bool | str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    session.verify = verify
    # A receiver's cookies must not ride along to the next delivery.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = PinnedAdapter(pool_connections=64, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host for DNS, port, Host header) of an absolute http(s) URL."""
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise TransportError(f"not a valid URL: {exc}", "invalid_url", permanent=True) from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in _DEFAULT_PORTS or not parsed.host:
        raise TransportError(f"not an http(s) URL with a host: {url!r}", "invalid_url", permanent=True)
    host = parsed.host.strip("[]")
    host_header = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
    return scheme, host, parsed.port or _DEFAULT_PORTS[scheme], host_header


def _classify_exception(exc: requests.RequestException, deadline: watchdog.Deadline) -> TransportError:
    if deadline.expired or isinstance(exc, requests.Timeout):
        return TransportError(f"no response within the timeout ({exc.__class__.__name__})", "timeout")
    for kind, error_class, permanent in _EXCEPTION_CLASSES:
        if isinstance(exc, kind):
            return TransportError(str(exc) or kind.__name__, error_class, permanent=permanent)
    return TransportError(str(exc) or exc.__class__.__name__, "connection")


# Most specific first: SSLError is a ConnectionError, InvalidHeader a ValueError.
_EXCEPTION_CLASSES: tuple[tuple[type[Exception], str, bool], ...] = (
    (requests.exceptions.SSLError, "tls", False),
    (requests.exceptions.TooManyRedirects, "too_many_redirects", True),
    (requests.exceptions.InvalidHeader, "invalid_request", True),
    (requests.exceptions.InvalidURL, "invalid_url", True),
    (requests.exceptions.ConnectionError, "connection", False),
)


def _read_capped(response: requests.Response, deadline: watchdog.Deadline) -> tuple[bytes, bool, str | None]:
    body = bytearray()
    try:
        # read1 returns what has arrived: a body cut at the deadline keeps its first bytes.
        while chunk := response.raw.read1(4096, decode_content=True):
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                return bytes(body[:MAX_RESPONSE_BYTES]), True, None
            if deadline.expired:
                return bytes(body), True, "response body cut off at the deadline"
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        reason = "deadline" if deadline.expired else exc.__class__.__name__
        return bytes(body), True, f"response body cut off ({reason})"
    return bytes(body), False, None


class Transport:
    """Thread-safe: each thread gets its own session; pools are keyed by pinned address."""

    def __init__(self, *, verify: bool | str = True) -> None:
        self._verify = verify
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = _new_session(self._verify)
        return session

    def request(self, request: RenderedRequest, *, timeout: float, allow_networks: Iterable[Network]) -> Response:
        """``timeout`` bounds everything: lookup, connect, sending and reading the response."""
        deadline = watchdog.WATCHDOG.watch(timeout)
        ip = None
        try:
            _, host, port, host_header = _target(request.url)
            ip = pin(host, port, allow_networks, deadline.remaining())
            return self._send(request, ip, host_header, deadline)
        except TransportError as exc:
            exc.resolved_ip = None if ip is None else str(ip)
            raise
        finally:
            deadline.finish()

    def _send(self, request: RenderedRequest, ip, host_header: str, deadline: watchdog.Deadline) -> Response:
        headers = {**request.headers, "Host": host_header}
        watchdog.current.deadline = deadline
        try:
            prepared = requests.Request(request.method, request.url, headers=headers,
                                        data=request.body or None).prepare()
            setattr(prepared, PIN_ATTRIBUTE, ip)
            remaining = max(deadline.remaining(), 0.001)
            response = self._session().send(
                prepared, stream=True, allow_redirects=False, timeout=(remaining, remaining))
        except requests.RequestException as exc:
            raise _classify_exception(exc, deadline) from None
        except ValueError as exc:  # e.g. a header value with a line break
            raise TransportError(str(exc), "invalid_request", permanent=True) from None
        finally:
            watchdog.current.deadline = None
        if deadline.expired:
            # The shutdown reads as end-of-headers to http.client: the status line may be
            # real but the head was cut, so it is not a response to trust.
            response.close()
            raise TransportError("no complete response head within the timeout", "timeout")
        try:
            body, truncated, read_error = _read_capped(response, deadline)
        finally:
            response.close()
        return Response(response.status_code, response.headers, body, truncated, read_error, str(ip))
