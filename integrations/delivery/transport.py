"""One HTTP request through the SSRF guard, with a hard deadline and a capped response read.

aiohttp on one event loop per process, in a daemon thread: a request in flight costs a socket,
not a thread, so a hundred requests waiting on slow receivers (or a dead one) cost almost
nothing, and a fast request costs about a fifth of the CPU of requests/urllib3. Callers in
threads either wait (``request``) or get a concurrent future (``submit``).

The request goes to the address the guard checked: the URL's host is replaced by that address,
so the connection pool is keyed by it too, while the Host header, TLS SNI and the certificate
check keep the original name (the technique of requests-hardened, without the requests).

Raises only TransportError (no HTTP status came back); any status, 2xx or not, is a Response.
"""
from __future__ import annotations

import asyncio
import atexit
import ipaddress
import os
import ssl
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass

import aiohttp
import certifi
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from yarl import URL

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


@dataclass(frozen=True, slots=True)
class _Target:
    scheme: str
    host: str  # for DNS, SNI and the certificate check
    port: int
    host_header: str
    request_uri: str  # path and query, exactly as rendered


def _target(url: str) -> _Target:
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise TransportError(f"not a valid URL: {exc}", "invalid_url", permanent=True) from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in _DEFAULT_PORTS or not parsed.host:
        raise TransportError(f"not an http(s) URL with a host: {url!r}", "invalid_url", permanent=True)
    host = parsed.host.strip("[]")
    host_header = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
    return _Target(scheme, host, parsed.port or _DEFAULT_PORTS[scheme], host_header, parsed.request_uri)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _pinned_url(target: _Target, ip) -> URL:
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    # encoded=True: the dialects' query strings are sent byte for byte, never re-quoted.
    return URL(f"{target.scheme}://{literal}:{target.port}{target.request_uri}", encoded=True)


# Most specific first: certificate errors are connector errors, connector errors OS errors.
_EXCEPTION_CLASSES: tuple[tuple[type[BaseException], str, bool], ...] = (
    (aiohttp.ClientConnectorCertificateError, "tls", False),
    (aiohttp.ClientSSLError, "tls", False),
    (ssl.SSLError, "tls", False),
    (aiohttp.InvalidURL, "invalid_url", True),
    (aiohttp.TooManyRedirects, "too_many_redirects", True),
    (ValueError, "invalid_request", True),  # e.g. a header value with a line break
    (aiohttp.ClientError, "connection", False),
    (OSError, "connection", False),
)


def _classify_exception(exc: BaseException) -> TransportError:
    for kind, error_class, permanent in _EXCEPTION_CLASSES:
        if isinstance(exc, kind):
            return TransportError(str(exc) or kind.__name__, error_class, permanent=permanent)
    return TransportError(str(exc) or exc.__class__.__name__, "connection")


async def _read_capped(response: aiohttp.ClientResponse, body: bytearray) -> tuple[bool, str | None]:
    """Read into ``body`` (the caller keeps what came if the deadline cancels this): at most
    one byte more than the cap, to know it was cut; returns (truncated, read error)."""
    try:
        while len(body) <= MAX_RESPONSE_BYTES:
            chunk = await response.content.read(MAX_RESPONSE_BYTES + 1 - len(body))
            if not chunk:
                return False, None
            body += chunk
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return True, f"response body cut off ({exc.__class__.__name__})"
    del body[MAX_RESPONSE_BYTES:]
    return True, None


class Transport:
    """Thread-safe; one event loop thread and one connection pool per Transport and process."""

    def __init__(self, *, verify: bool | str = True) -> None:
        self._verify = verify
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._pid = 0

    # -- the loop --------------------------------------------------------------------------
    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked worker (Celery prefork) inherits the object but not the thread.
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._session, self._pid = asyncio.new_event_loop(), None, os.getpid()
                threading.Thread(target=self._loop.run_forever, name="webhook-transport", daemon=True).start()
            return self._loop

    def _ssl_context(self) -> ssl.SSLContext | bool:
        if self._verify is False:
            return False
        return ssl.create_default_context(cafile=self._verify if isinstance(self._verify, str) else certifi.where())

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # created on the loop's thread, as aiohttp wants
            atexit.register(self._close, self._loop, self._pid)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, ssl=self._ssl_context(), enable_cleanup_closed=True),
                # A receiver's cookies must not ride along to the next delivery.
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # no proxies or .netrc credentials from the environment
            )
        return self._session

    def _close(self, loop: asyncio.AbstractEventLoop, pid: int) -> None:
        if self._session is not None and self._loop is loop and pid == os.getpid() and loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._session.close(), loop).result(timeout=2)
            except Exception:  # at exit, nothing is worth a traceback
                pass

    def submit(self, request: RenderedRequest, *, timeout: float, allow_networks: Iterable[Network]) -> Future:
        """The request, sent on the transport's loop; the future's result is a Response, or
        its exception a TransportError."""
        return asyncio.run_coroutine_threadsafe(self.arequest(request, timeout=timeout, allow_networks=allow_networks),
                                                self._running_loop())

    def request(self, request: RenderedRequest, *, timeout: float, allow_networks: Iterable[Network]) -> Response:
        """``timeout`` bounds everything: lookup, connect, sending and reading the response."""
        return self.submit(request, timeout=timeout, allow_networks=allow_networks).result()

    # -- one request, on the loop ----------------------------------------------------------
    async def arequest(self, request: RenderedRequest, *, timeout: float,
                       allow_networks: Iterable[Network]) -> Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ip = None
        try:
            target = _target(request.url)
            allow = tuple(allow_networks)
            if _is_literal(target.host):
                ip = pin(target.host, target.port, allow, 0)
            else:  # getaddrinfo blocks: it runs off the loop, bounded by the deadline
                ip = await loop.run_in_executor(None, pin, target.host, target.port, allow,
                                                max(deadline - loop.time(), 0.001))
            return await self._send(request, target, ip, deadline)
        except TransportError as exc:
            exc.resolved_ip = None if ip is None else str(ip)
            raise

    async def _send(self, request: RenderedRequest, target: _Target, ip, deadline: float) -> Response:
        headers = {**request.headers, "Host": target.host_header}
        https = target.scheme == "https"
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._client().request(
                    request.method, _pinned_url(target, ip), headers=headers, data=request.body or None,
                    allow_redirects=False, server_hostname=target.host if https else None)
        except TimeoutError:
            raise TransportError("no complete response head within the timeout", "timeout") from None
        except Exception as exc:
            raise _classify_exception(exc) from None
        body = bytearray()
        try:
            async with asyncio.timeout_at(deadline):
                truncated, read_error = await _read_capped(response, body)
        except TimeoutError:
            truncated, read_error = True, "response body cut off at the deadline"
        finally:
            # A fully read response returns its connection to the pool; a cut one closes it.
            response.release() if response.content.at_eof() else response.close()
        return Response(response.status, response.headers, bytes(body), truncated, read_error, str(ip))
