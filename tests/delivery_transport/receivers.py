"""Real HTTP receivers on loopback that record every request they get."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    raw_query: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes


# A responder gets (request, handler) and writes the response itself, or returns
# (status, headers, body) for the receiver to write.
Responder = Callable[[Received, BaseHTTPRequestHandler], "tuple[int, dict, bytes] | None"]


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def ok(received: Received, handler: BaseHTTPRequestHandler):
    return 200, {"Content-Type": "text/plain"}, b"ok"


class Receiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, responder: Responder = ok) -> None:
        self.requests: list[Received] = []
        self.responder = responder
        self.stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def log_message(self, *args):  # quiet test output
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    self.command, parts.path, parts.query,
                    parse_qsl(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()}, body,
                )
                receiver.requests.append(received)
                answer = receiver.responder(received, self)
                if answer is not None:
                    status, headers, payload = answer
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = (_V6Server if ":" in host else ThreadingHTTPServer)((host, port), Handler)
        self.server.daemon_threads = True
        # Clients that hang up mid-response are part of the tests, not errors to print.
        self.server.handle_error = lambda request, client_address: None
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path: str = "/hook", host: str | None = None) -> str:
        host = host or self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()  # releases handlers that hang on purpose
        self.server.shutdown()
        self.server.server_close()
