"""A requests adapter that connects to the address the SSRF guard pinned, never to a name.

The technique is requests-hardened's (saleor): the pool is keyed and connected by IP, while
the Host header, TLS SNI and certificate check keep the original host name. Unlike it, the
address is chosen before the request (ssrf.pin, with the operator's allowlist) and handed in,
so the caller knows which address was used and the adapter never resolves anything itself.
"""
from __future__ import annotations

from typing import Any

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import watchdog
from .errors import TransportError

PIN_ATTRIBUTE = "hub_pinned_ip"  # set on the PreparedRequest by the transport


def _attach(conn: HTTPConnection) -> None:
    deadline = getattr(watchdog.current, "deadline", None)
    if deadline is not None:
        deadline.attach(conn)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _attach(self)  # a pooled connection skips connect()
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _attach(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, *args: Any, **kwargs: Any):
        # A proxy would resolve the name again, on its side: that is the rebinding window.
        raise TransportError("proxies are not used for webhook delivery", "invalid_request", permanent=True)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        ip = getattr(request, PIN_ATTRIBUTE, None)
        if ip is None:  # fail closed: only a request the guard has checked may go out
            raise TransportError("request was not checked by the SSRF guard", "ssrf_refused", permanent=True)
        hostname = host_params["host"]
        host_params["host"] = f"[{ip}]" if ip.version == 6 else str(ip)
        if host_params["scheme"] == "https":
            # Verify the certificate and send SNI for the name, not for the address.
            pool_kwargs["server_hostname"] = hostname
            pool_kwargs["assert_hostname"] = hostname
        return host_params, pool_kwargs
