"""How far in PBX time a PBX's sources have been read (the watermark catalogue events wait for).

A followed file is read in order, so once it has been read up to a line, none of its events
before that line's time is still to come. Across a PBX's followed files, every event at or
before the SMALLEST such time among the files still being read has been read: that is the
PBX's watermark. A file whose end the follower has reached holds nobody back (it has nothing
more to say until the PBX writes again); when every file is at its end the watermark is the
newest time read, less LIVE_LAG for a line another file is still writing. Pushes (the plugin,
native JSON, the CDR socket) arrive as the PBX lives them, so a PBX with no followed file
gates nothing. ``import_logs`` is a stream of its own: its position counts as well (the
smaller of the two wins).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

from django.utils import timezone

from hub.models import FILE_KINDS, Call, IngestSource, Pbx

# Every event of the PBX has been read up to here: nothing may go out (a followed file not
# read yet).
NOTHING = datetime.min.replace(tzinfo=dt_timezone.utc)
# A stream read to its end: every event of it has been read.
EVERYTHING = datetime.max.replace(tzinfo=dt_timezone.utc)
TIE = timedelta(microseconds=1)
# A line of one file may be written a moment after a later line of another (3CX flushes
# its logs and the CDR on their own).
LIVE_LAG = timedelta(seconds=5)


def followed_watermark(pbx: Pbx) -> datetime | None:
    """The PBX's watermark from its enabled followed files; None if it follows none (or has
    read nothing from them): nothing waits."""
    rows = list(IngestSource.objects.filter(pbx=pbx, enabled=True, kind__in=FILE_KINDS)
                .exclude(path="").values_list("behind", "last_record_at"))
    holding = [at for behind, at in rows if behind]
    if holding:
        # The next line of a file may carry the time of the last one read (a millisecond tie).
        return NOTHING if None in holding else min(holding) - TIE
    newest = [at for _, at in rows if at is not None]
    return max(newest) - LIVE_LAG if newest else None


def watermark_record(pbx: Pbx, watermark: datetime | None) -> None:
    """Remember the PBX's reading position in PBX time (idle closing judges by it)."""
    if watermark is None or watermark == NOTHING or watermark == pbx.watermark_at:
        return
    now = timezone.now()
    Pbx.objects.filter(pk=pbx.pk).update(watermark_at=watermark, watermark_moved_at=now)
    pbx.watermark_at, pbx.watermark_moved_at = watermark, now


def pbx_time(pbx: Pbx, now: datetime) -> datetime:
    """The PBX's "now" in its own event time: its watermark, moved on by the wall-clock time
    since it last moved (a PBX whose sources went silent keeps living); the wall clock for a
    PBX that has none (pushes only: they arrive as they happen)."""
    if pbx.watermark_at is None or pbx.watermark_moved_at is None:
        return now
    return pbx.watermark_at + max(now - pbx.watermark_moved_at, timedelta(0))


def due_call_ids(pbx: Pbx, watermark: datetime | None) -> list[int]:
    """Calls of the PBX with catalogue events waiting for a gate the watermark has passed."""
    if watermark == NOTHING:
        return []
    due = Call.objects.filter(pbx=pbx, emit_due_at__isnull=False)
    if watermark is not None:
        due = due.filter(emit_due_at__lte=watermark)
    return list(due.order_by("emit_due_at", "id").values_list("id", flat=True))


def source_caught_up(source: IngestSource) -> None:
    """The follower found nothing more to read in ``source``: it holds the watermark no more."""
    if source.behind:
        IngestSource.objects.filter(pk=source.pk).update(behind=False)
        source.behind = False

