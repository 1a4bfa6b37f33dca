"""The ingest process: follows every enabled file source and runs the CDR socket servers."""
from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections

from hub.db_outage import DATABASE_UNAVAILABLE, Backoff
from hub.metrics.record import ingest_polled
from hub.models import FILE_KINDS, IngestSource, SourceKind
from hub.services.ingest.cdr_socket import CdrSocketServers
from hub.services.ingest.follow import SourceFollower
from hub.services.outages import outage_record_pending
from hub.services.recordings.collect import FolderWatch, recordings_pickup

logger = logging.getLogger(__name__)


class IngestProcess:
    def __init__(self, *, stop: threading.Event, poll_interval: float = 0.5, reload_every: float = 10.0,
                 pickup_every: float = 1.0):
        self.stop = stop
        self.poll_interval = poll_interval
        self.reload_every = reload_every
        self.followers: dict[int, SourceFollower] = {}
        self.sockets = CdrSocketServers(stop=stop)
        self._loaded_at = 0.0
        # Recordings the logs or CDR named, picked up from each PBX's recordings folder.
        self.recordings = FolderWatch()
        self.pickup_every = pickup_every
        self._picked_at = 0.0

    def run(self) -> None:
        backoff = Backoff(stop=self.stop, what="ingest")
        try:
            while not self.stop.is_set():
                try:
                    stored = self._tick()
                except DATABASE_UNAVAILABLE as exc:
                    self._forget_followers()
                    backoff.wait(exc)
                    continue
                backoff.recovered()
                if not stored:
                    self.stop.wait(self.poll_interval)
        finally:
            for follower in self.followers.values():
                follower.close()
            self.sockets.close()

    def _tick(self) -> int:
        outage_record_pending()  # an outage this process waited out, before any batch after it
        if time.monotonic() - self._loaded_at >= self.reload_every:
            self._reload()
        stored = sum(self._poll(f) for f in list(self.followers.values()))
        if time.monotonic() - self._picked_at >= self.pickup_every:
            stored += self._pickup()
        ingest_polled()
        return stored

    def _pickup(self) -> int:
        self._picked_at = time.monotonic()
        try:
            return recordings_pickup(watch=self.recordings)
        except DATABASE_UNAVAILABLE:
            raise
        except Exception:  # a storage outage must not stop the logs being read
            logger.exception("picking up recordings failed")
            return 0

    def _forget_followers(self) -> None:
        """After a failed batch only the database knows how far each file was read (the batch's
        events and position were rolled back together): followers start again from there."""
        for follower in self.followers.values():
            follower.close()
        self.followers.clear()
        self._loaded_at = 0.0  # reload as soon as the database answers

    def _reload(self) -> None:
        """Pick up sources added, changed or disabled in the UI without a restart."""
        close_old_connections()
        sources = list(IngestSource.objects.filter(enabled=True).select_related("pbx"))
        files = {s.pk: s for s in sources if s.kind in FILE_KINDS and s.path}
        for pk in set(self.followers) - set(files):
            self.followers.pop(pk).close()
        for pk, source in files.items():
            current = self.followers.get(pk)
            if current is None or (current.source.path, current.source.rules_path) != (source.path, source.rules_path):
                if current:
                    current.close()
                self.followers[pk] = SourceFollower(source)
        self.sockets.sync([s for s in sources if s.kind == SourceKind.CDR_SOCKET and s.port])
        self._loaded_at = time.monotonic()

    def _poll(self, follower: SourceFollower) -> int:
        try:
            return follower.poll()
        except DATABASE_UNAVAILABLE:
            raise  # not this source's fault: run() waits for the database
        except Exception as exc:  # one broken source must not stop the others
            logger.exception("ingest of %s failed", follower.source)
            _last_error_save(source_id=follower.source.pk, error=f"{exc.__class__.__name__}: {exc}")
            follower.close()
            self.followers.pop(follower.source.pk, None)  # rebuilt from its stored position on reload
            return 0


def _last_error_save(*, source_id: int, error: str) -> None:
    try:
        IngestSource.objects.filter(pk=source_id).update(last_error=error[:1000])
    except DatabaseError:
        # The error is in the log already; failing to record it must not stop the process.
        logger.exception("could not record the error of source %s", source_id)
