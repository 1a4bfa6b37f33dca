"""A fast webhook receiver for benchmarks: asyncio, HTTP/1.1 keep-alive, loopback only.

    python bench/_receiver.py --ports 4 --hang-ports 1 --delay-ms 200 --out receipts.tsv
    python bench/_receiver.py --ports 1 --slow-ports 1 --slow-ms 2000 --hang-ports 1 --out receipts.tsv

Listens on 127.0.0.1, one port per endpoint, and prints ``{"ports": [...], "hang": [...]}`` on
its first line. Every request is recorded as ``time port webhook-id crc32(body)`` (a sender that
sends no webhook-id, such as the peers of bench/peers.py, is identified by the first group of
``--id-pattern`` in its body); SIGUSR1 prints the number of requests so far on a line. The answer
(``200 ok``) comes after ``--delay-ms``, without holding up other requests. A hang port accepts
connections and never answers. Receipts are written to ``--out`` when stdin closes or SIGTERM
arrives, so recording costs a list append, not a write.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import socket
import sys
import time
import zlib

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class Recorder:
    def __init__(self, delay: float, id_pattern: str | None = None) -> None:
        self.delay = delay
        self.id_pattern = re.compile(id_pattern.encode()) if id_pattern else None
        self.rows: list[tuple[float, int, str, int]] = []

    def dump(self, path: str) -> None:
        with open(path, "w") as out:
            out.writelines(f"{at:.6f}\t{port}\t{msg}\t{crc}\n" for at, port, msg, crc in self.rows)


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, recorder: Recorder,
                 delay: float | None = None) -> None:
    delay = recorder.delay if delay is None else delay
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            at = time.time()
            length, message_id = 0, ""
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    message_id = value.strip().decode()
            body = await reader.readexactly(length) if length else b""
            if not message_id and recorder.id_pattern and (found := recorder.id_pattern.search(body)):
                message_id = found.group(1).decode()
            recorder.rows.append((at, port, message_id, zlib.crc32(body)))
            if delay:
                await asyncio.sleep(delay)
            writer.write(REPLY)
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.read(65536):
            pass  # read and never answer: the sender's timeout is what ends it
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(args: argparse.Namespace) -> None:
    recorder = Recorder(args.delay_ms / 1000, args.id_pattern)
    servers, ports = [], []
    for _ in range(args.ports):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        servers.append(await asyncio.start_server(
            lambda r, w, p=port: _serve(r, w, p, recorder), sock=sock, backlog=1024))
        ports.append(port)
    slow = []
    for _ in range(args.slow_ports):  # like the others, but answering after --slow-ms
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        servers.append(await asyncio.start_server(
            lambda r, w, p=port: _serve(r, w, p, recorder, args.slow_ms / 1000), sock=sock, backlog=1024))
        slow.append(port)
    hang = []
    for _ in range(args.hang_ports):
        server = await asyncio.start_server(_hang, "127.0.0.1", 0, backlog=1024)
        servers.append(server)
        hang.append(server.sockets[0].getsockname()[1])
    print(json.dumps({"ports": ports, "slow": slow, "hang": hang}), flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: print(len(recorder.rows), flush=True))
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.read(1) or stop.set())
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    except TimeoutError:
        pass
    recorder.dump(args.out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, default=1)
    parser.add_argument("--hang-ports", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--slow-ports", type=int, default=0)
    parser.add_argument("--slow-ms", type=float, default=2000.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--id-pattern", help="regular expression whose first group is the id, for requests "
                                             "without a webhook-id header")
    parser.add_argument("--max-seconds", type=float, default=1800, help="stop by itself after this long")
    asyncio.run(main(parser.parse_args()))
