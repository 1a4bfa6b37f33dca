"""TCP server for 3CX's CDR "active socket" mode: 3CX connects to us and writes one record a line.

``on_line(peer_ip, line)`` is a plain (sync) callable and runs in a worker thread through
``asyncio.to_thread``, because the caller stores events with Django's ORM, which is sync. Lines
from one connection are delivered one at a time and in order (the next read waits for the
callback), which also gives back-pressure; separate connections run concurrently. An exception
from the callback is logged and counted, and the connection goes on.
"""
from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections import Counter
from collections.abc import Callable, Iterable

from .lines import LineSplitter

logger = logging.getLogger(__name__)

LineCallback = Callable[[str, bytes], None]
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_READ_SIZE = 64 * 1024


def parse_allowlist(allow: Iterable[str | IpNetwork] | None) -> tuple[IpNetwork, ...] | None:
    """``None`` allows everyone; takes strings such as ``"10.0.0.0/8"`` or ``"192.0.2.7"``."""
    if allow is None:
        return None
    return tuple(ipaddress.ip_network(item, strict=False) for item in allow)


def _peer_address(writer: asyncio.StreamWriter) -> IpAddress | None:
    peer = writer.get_extra_info("peername")
    try:
        address = ipaddress.ip_address(peer[0])
    except (TypeError, IndexError, ValueError):
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; allowlists name them as IPv4.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class CdrSocketServer:
    """Start with ``await start()``, then ``await serve_forever()`` or just keep the loop alive;
    ``await stop()`` closes the listener and every connection. ``stats`` counts ``connections``,
    ``refused``, ``lines``, ``callback_errors`` and ``overlong`` lines."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        on_line: LineCallback,
        allow: Iterable[str | IpNetwork] | None = None,
        max_line: int = 64 * 1024,
    ) -> None:
        self._host, self._port = host, port
        self._on_line = on_line
        self._allow = parse_allowlist(allow)
        self._max_line = max_line
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.stats: Counter[str] = Counter()

    @property
    def port(self) -> int:
        """The bound port (useful after asking for port 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server is not started")
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        logger.info("CDR socket server listening on %s:%s", self._host, self.port)

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            await self.stop()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _allowed(self, address: IpAddress | None) -> bool:
        if self._allow is None:
            return True
        return address is not None and any(address in network for network in self._allow)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = _peer_address(writer)
        if not self._allowed(address):
            self.stats["refused"] += 1
            logger.warning("CDR connection from %s refused: not in the allowlist", address)
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.stats["connections"] += 1
        try:
            await self._read_lines(str(address), reader)
        except asyncio.CancelledError:
            # Only stop() cancels us. Ending normally keeps asyncio's stream machinery (3.11)
            # from logging the cancellation of a connection task as an unhandled error.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_lines(self, peer_ip: str, reader: asyncio.StreamReader) -> None:
        splitter = LineSplitter(self._max_line)
        try:
            while chunk := await reader.read(_READ_SIZE):
                for line in splitter.feed(chunk):
                    await self._deliver(peer_ip, line)
        except ConnectionError as exc:
            # A reset connection may have cut the last record short: do not deliver the rest.
            logger.info("CDR connection from %s lost: %s", peer_ip, exc)
            return
        finally:
            self.stats["overlong"] += splitter.overlong
        tail = splitter.flush()
        if tail is not None:
            await self._deliver(peer_ip, tail)

    async def _deliver(self, peer_ip: str, line: bytes) -> None:
        if not line.strip():
            return
        self.stats["lines"] += 1
        call = asyncio.ensure_future(asyncio.to_thread(self._on_line, peer_ip, line))
        try:
            await asyncio.shield(call)
        except asyncio.CancelledError:
            # The line is already off the socket: let its callback finish rather than lose it.
            await asyncio.wait([call])
            raise
        except Exception:
            self.stats["callback_errors"] += 1
            logger.exception("CDR line callback failed for a line from %s", peer_ip)
