"""Request bodies sent with ``Transfer-Encoding: chunked``, under gunicorn and the dev server.

Django reads a body through ``CONTENT_LENGTH`` and, when a request has none, as empty: a PBX or
proxy that streams its push chunked had it refused as "body: empty". This WSGI middleware reads
such a body once and hands it on with its length. Where the chunks come from depends on the
server: gunicorn decodes them itself (``wsgi.input`` is the body), while Django's dev server
(runserver) hands over a LimitedStream over the raw socket cut at 0 bytes, so the chunks are
decoded here from beneath it.
"""
from __future__ import annotations

import sys
from io import BytesIO

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream

from hub.api.ingest.body import MAX_BODY_BYTES

_READ = 64 * 1024


class BadChunking(ValueError):
    pass


def _keep_at_most() -> int:
    # One byte over the largest body any view takes, so a view still sees it is too large.
    return 1 + max(MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _chunk_size(line: bytes) -> int:
    try:
        return int(line.split(b";", 1)[0].strip(), 16)  # a chunk extension follows ";"
    except ValueError:
        raise BadChunking(f"bad chunk size line {line[:40]!r}") from None


def dechunk(stream, *, keep: int) -> bytes:
    """The body of chunked transfer coding (RFC 9112 §7.1) read from ``stream``.

    At most ``keep`` bytes are kept; the rest is read and dropped, so that the next request on
    the connection starts where it should.
    """
    body = bytearray()
    while size := _chunk_size(stream.readline(1024)):
        while size:
            data = stream.read(min(size, _READ))
            if not data:
                raise BadChunking("the connection closed inside a chunk")
            body += data[:max(0, keep - len(body))]
            size -= len(data)
        stream.readline(1024)  # the CRLF that ends the chunk
    while stream.readline(1024).strip():  # trailer fields, up to the empty line
        pass
    return bytes(body)


def _read_chunked(environ) -> bytes:
    stream, keep = environ["wsgi.input"], _keep_at_most()
    if not isinstance(stream, LimitedStream):
        return stream.read(keep)  # gunicorn: already decoded
    # runserver: lift the 0-byte cut to read the socket, then cut it again so the server's own
    # "drain what the application left" at the end reads nothing.
    stream.limit = sys.maxsize
    try:
        return dechunk(stream, keep=keep)
    finally:
        stream.limit = 0


def _is_chunked(environ) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and not environ.get("CONTENT_LENGTH")


def chunked_bodies(application):
    def app(environ, start_response):
        if _is_chunked(environ):
            try:
                body = _read_chunked(environ)
            except BadChunking as exc:
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [f"body: {exc}\n".encode()]
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = BytesIO(body), str(len(body))
        return application(environ, start_response)

    return app
