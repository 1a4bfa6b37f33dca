"""The CDR "active socket" server, driven by real TCP clients on 127.0.0.1."""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.threecx_cdr.lines import LineSplitter
from integrations.threecx_cdr.server import CdrSocketServer, parse_allowlist

Received = list[tuple[str, bytes]]


def run_with_server(
    scenario: Callable[[CdrSocketServer], Awaitable[None]],
    *,
    on_line: Callable[[str, bytes], None] | None = None,
    **options,
) -> tuple[Received, CdrSocketServer]:
    received: Received = []
    lock = threading.Lock()

    def record(peer_ip: str, line: bytes) -> None:
        with lock:
            received.append((peer_ip, line))

    async def main() -> CdrSocketServer:
        server = CdrSocketServer(host="127.0.0.1", port=0, on_line=on_line or record, **options)
        await server.start()
        try:
            await asyncio.wait_for(scenario(server), timeout=10)
        finally:
            await server.stop()
        return server

    return received, asyncio.run(main())


async def send(server: CdrSocketServer, *chunks: bytes, pause: float = 0.02) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
        await asyncio.sleep(pause)  # so the server really sees separate TCP reads
    writer.close()
    await writer.wait_closed()


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


def test_lines_split_across_packets_are_reassembled() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        await send(server, b"Call 1,a", b"bc\r\nCall 2", b",def\r", b"\nCall 3\n")
        await until(lambda: server.stats["lines"] == 3)

    received, _ = run_with_server(scenario)

    assert [line for _, line in received] == [b"Call 1,abc", b"Call 2,def", b"Call 3"]
    assert {peer for peer, _ in received} == {"127.0.0.1"}


def test_last_line_without_newline_is_delivered_at_close() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        await send(server, b"Call 1\nCall 2 no newline")
        await until(lambda: server.stats["lines"] == 2)

    received, _ = run_with_server(scenario)

    assert [line for _, line in received] == [b"Call 1", b"Call 2 no newline"]


def test_two_clients_at_once_each_keep_their_line_order() -> None:
    async def client(server: CdrSocketServer, name: bytes) -> None:
        await send(server, *(name + b" %d\n" % number for number in range(20)), pause=0.001)

    async def scenario(server: CdrSocketServer) -> None:
        await asyncio.gather(client(server, b"A"), client(server, b"B"))
        await until(lambda: server.stats["lines"] == 40)

    received, server = run_with_server(scenario)

    lines = [line for _, line in received]
    assert [line for line in lines if line.startswith(b"A")] == [b"A %d" % n for n in range(20)]
    assert [line for line in lines if line.startswith(b"B")] == [b"B %d" % n for n in range(20)]
    assert server.stats["connections"] == 2


def test_connections_really_overlap() -> None:
    both_connected = threading.Barrier(2, timeout=5)

    def wait_for_the_other(peer_ip: str, line: bytes) -> None:
        both_connected.wait()  # deadlocks (and times out) if connections were served one by one

    async def scenario(server: CdrSocketServer) -> None:
        await asyncio.gather(send(server, b"A\n"), send(server, b"B\n"))
        await until(lambda: server.stats["lines"] == 2)

    _, server = run_with_server(scenario, on_line=wait_for_the_other)

    assert server.stats["callback_errors"] == 0


def test_connection_from_outside_the_allowlist_is_closed_and_counted() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"Call 1\n")
        try:
            assert await reader.read() == b""
        except ConnectionResetError:
            pass  # the server aborts (RST) rather than closes: either way it is gone
        writer.close()
        await until(lambda: server.stats["refused"] == 1)

    received, server = run_with_server(scenario, allow=["10.0.0.0/8", "2001:db8::/32"])

    assert received == []
    assert server.stats["connections"] == 0


def test_connection_inside_the_allowlist_is_served() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        await send(server, b"Call 1\n")
        await until(lambda: server.stats["lines"] == 1)

    received, server = run_with_server(scenario, allow=["127.0.0.0/8"])

    assert received == [("127.0.0.1", b"Call 1")]
    assert server.stats["refused"] == 0


def test_failing_callback_is_counted_and_the_connection_goes_on() -> None:
    seen: list[bytes] = []

    def flaky(peer_ip: str, line: bytes) -> None:
        if line == b"bad":
            raise RuntimeError("database is down")
        seen.append(line)

    async def scenario(server: CdrSocketServer) -> None:
        await send(server, b"bad\ngood\n")
        await until(lambda: server.stats["lines"] == 2 and len(seen) == 1)

    _, server = run_with_server(scenario, on_line=flaky)

    assert seen == [b"good"]
    assert server.stats["callback_errors"] == 1


def test_overlong_line_is_dropped_and_the_next_one_kept() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        await send(server, b"x" * 100, b"x" * 100 + b"\nCall 2\n")
        await until(lambda: server.stats["lines"] == 1)

    received, server = run_with_server(scenario, max_line=64)

    assert [line for _, line in received] == [b"Call 2"]
    assert server.stats["overlong"] == 1


def test_stop_closes_open_connections() -> None:
    async def scenario(server: CdrSocketServer) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"Call 1\npartial")
        await writer.drain()
        await until(lambda: server.stats["lines"] == 1)
        await server.stop()
        assert await reader.read() == b""
        writer.close()

    received, _ = run_with_server(scenario)

    assert [line for _, line in received] == [b"Call 1"]  # a cut-off line is not delivered


def test_stop_lets_a_running_callback_finish() -> None:
    started, finished = threading.Event(), threading.Event()

    def slow(peer_ip: str, line: bytes) -> None:
        started.set()
        time.sleep(0.2)
        finished.set()

    async def scenario(server: CdrSocketServer) -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"Call 1\n")
        await until(started.is_set)
        await server.stop()
        assert finished.is_set()  # the line already read was not abandoned half-stored
        writer.close()

    run_with_server(scenario, on_line=slow)


def test_serve_forever_stops_when_cancelled() -> None:
    async def main() -> None:
        server = CdrSocketServer(host="127.0.0.1", port=0, on_line=lambda peer, line: None)
        serving = asyncio.create_task(server.serve_forever())
        await until(lambda: server._server is not None)
        port = server.port
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)

    asyncio.run(asyncio.wait_for(main(), timeout=10))


def test_allowlist_accepts_addresses_and_networks() -> None:
    networks = parse_allowlist(["192.0.2.7", "10.1.2.3/8"])

    assert [str(network) for network in networks] == ["192.0.2.7/32", "10.0.0.0/8"]
    assert parse_allowlist(None) is None


def test_line_splitter_handles_crlf_and_a_final_partial_line() -> None:
    splitter = LineSplitter()

    assert splitter.feed(b"a\r\nb") == [b"a"]
    assert splitter.feed(b"c\n\n") == [b"bc", b""]
    assert splitter.feed(b"tail\r") == []
    assert splitter.flush() == b"tail"
    assert splitter.flush() is None


lines_without_newline = st.binary(max_size=30).map(lambda line: line.replace(b"\n", b""))


@given(st.lists(lines_without_newline, max_size=10), st.data())
def test_line_splitter_gives_the_same_lines_however_tcp_cuts_the_stream(lines, data) -> None:
    stream = b"".join(line + b"\n" for line in lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    splitter = LineSplitter()

    out = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)]):
        out += splitter.feed(stream[start:end])

    assert out == [line.removesuffix(b"\r") for line in lines]
    assert splitter.flush() is None
