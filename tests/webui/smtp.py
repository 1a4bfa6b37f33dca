"""A real SMTP server on 127.0.0.1 that keeps each message it is given (enough of RFC 5321 for Django)."""
from __future__ import annotations

import socketserver
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy


@contextmanager
def smtp_server():
    received: list = []

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str):
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self):
            self.reply("220 127.0.0.1 test SMTP")
            while line := self.rfile.readline():
                verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
                if verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    received.append(message_from_bytes(self._data(), policy=policy.default))
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    self.reply("250 OK")

        def _data(self) -> bytes:
            lines = []
            while (line := self.rfile.readline()) not in (b".\r\n", b""):
                lines.append(line[1:] if line.startswith(b"..") else line)
            return b"".join(lines)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
