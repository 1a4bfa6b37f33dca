"""The demo's webhook receiver: a small HTTP server on loopback that `./hubctl run` starts and
subscribes the demo account to, so deliveries flow (and the console and /metrics show them).

It behaves like a real receiver on a normal day: most requests get 204, every FAIL_EVERY-th a
503 (the hub retries it), every REFUSE_EVERY-th a 400 (the hub gives up: a failed delivery an
admin can redeliver from the console). Requests to /gone get 410 Gone: the demo's "retired"
endpoint points there, so the hub disables it by itself, as it would a receiver that was shut
down. ``GET /`` answers what it has received (counts and the last webhook-ids), as JSON.

It does not verify signatures (it has no access to the endpoint's secret); a real receiver
must (see docs/formats.md).
"""
from __future__ import annotations

import json
import threading
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAIL_EVERY = 20
REFUSE_EVERY = 50
GONE_PATH = "/gone"


class DemoReceiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, fail_every: int = FAIL_EVERY, refuse_every: int = REFUSE_EVERY):
        super().__init__(address, _Handler)
        self.fail_every, self.refuse_every = fail_every, refuse_every
        self.lock = threading.Lock()
        self.requests = 0
        self.answers: Counter[int] = Counter()
        self.last: deque[dict] = deque(maxlen=20)

    def answer_for(self, path: str, headers) -> int:
        with self.lock:
            self.requests += 1
            n = self.requests
            if path.startswith(GONE_PATH):
                status = 410
            elif self.refuse_every and n % self.refuse_every == 0:
                status = 400
            elif self.fail_every and n % self.fail_every == 0:
                status = 503
            else:
                status = 204
            self.answers[status] += 1
            self.last.append({"webhook_id": headers.get("webhook-id"), "path": path, "status": status})
        return status

    def status(self) -> dict:
        with self.lock:
            return {"requests": self.requests, "answers": {str(k): v for k, v in sorted(self.answers.items())},
                    "last": list(self.last)}


class _Handler(BaseHTTPRequestHandler):
    server: DemoReceiver
    protocol_version = "HTTP/1.1"

    def _receive(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status = self.server.answer_for(self.path, self.headers)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = _receive

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/":
            return self._receive()  # the 3CX plugin's GET dialect
        body = json.dumps(self.server.status(), indent=2).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # one line per delivery would drown the run's output
        pass


def serve(host: str, port: int, **options) -> None:
    with DemoReceiver((host, port), **options) as server:
        server.serve_forever()
