"""3CX's CDR "active socket": 3CX connects to the hub and writes one record per line."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter

from django.db import close_old_connections

from hub.db_outage import retry_while_database_unavailable
from hub.metrics.record import lines_skipped_record
from hub.models import IngestSource
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.follow import decoder_for, source_progress_save
from integrations.threecx_cdr.server import CdrSocketServer

logger = logging.getLogger(__name__)


def cdr_line_ingest(*, source_id: int, line: bytes) -> int:
    """Store one CDR record received on a socket; returns the number of new events."""
    close_old_connections()  # runs on a worker thread that outlives Django's request cycle
    return cdr_record_ingest(source=IngestSource.objects.select_related("pbx").get(pk=source_id), line=line)


def cdr_record_ingest(*, source: IngestSource, line: bytes) -> int:
    """One record off ``source``'s socket into ingest: a push, which 3CX writes as each call
    ends, so records of calls ending close together may come in either order."""
    decoded = decoder_for(source).decode(line + b"\n", 0, final=True)
    result = events_ingest(pbx=source.pbx, events=decoded.events, pushed=True,
                           progress=lambda: source_progress_save(source, None, decoded))
    lines_skipped_record(source=source.kind, skipped=decoded.skipped)
    return result.stored


def cdr_line_ingest_patiently(*, source_id: int, line: bytes, stop: threading.Event) -> int:
    """The record is off the socket and exists nowhere else: while the database is down it is
    retried (holding its connection's next read, so the PBX's sends back up in TCP) until stored,
    or until the process stops."""
    return retry_while_database_unavailable(lambda: cdr_line_ingest(source_id=source_id, line=line),
                                            stop=stop, what=f"CDR socket source {source_id}")


class CdrSocketServers:
    """Runs one asyncio loop in a thread, with a server per enabled CDR socket source."""

    def __init__(self, *, stop: threading.Event):
        self.stop = stop
        self.loop = asyncio.new_event_loop()
        self.servers: dict[int, CdrSocketServer] = {}
        self.refused = Counter()
        self._thread = threading.Thread(target=self.loop.run_forever, name="cdr-sockets", daemon=True)
        self._thread.start()

    def sync(self, sources: list[IngestSource]) -> None:
        wanted = {s.pk: s for s in sources}
        for pk in set(self.servers) - set(wanted):
            self._call(self.servers.pop(pk).stop())
        for pk, source in wanted.items():
            if pk not in self.servers:
                self._start(source)

    def _start(self, source: IngestSource) -> None:
        server = CdrSocketServer(host=source.listen_host or "0.0.0.0", port=source.port,
                                 on_line=lambda peer, line, pk=source.pk: cdr_line_ingest_patiently(
                                     source_id=pk, line=line, stop=self.stop),
                                 allow=source.allowed_networks or None)
        try:
            self._call(server.start())
        except OSError as exc:
            logger.error("CDR socket for %s cannot listen on port %s: %s", source, source.port, exc)
            IngestSource.objects.filter(pk=source.pk).update(last_error=f"cannot listen: {exc}")
            return
        self.servers[source.pk] = server
        logger.info("CDR socket for %s listening on %s:%s", source, source.listen_host, server.port)

    def _call(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        for server in self.servers.values():
            self._call(server.stop())
        self.servers.clear()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
