"""How far in PBX time a PBX's sources have been read (the watermark catalogue events wait for).

A followed file is read in order, so once it has been read up to a line, none of its events
before that line's time is still to come. Across a PBX's followed files, every event at or
before the SMALLEST such time among the files still being read has been read: that is the
followed files' watermark. A file whose end the follower has reached holds nobody back (it has
nothing more to say until the PBX writes again); when every file is at its end the watermark is
the newest time read, less LIVE_LAG for a line another file is still writing.

Pushes that carry their event time (native JSON, the CDR socket) are one more stream, but not
an ordered one: a sender retries a request that failed (a timeout, a database outage) after
later ones went through. Every push up to PUSH_LATENESS (a setting) before the newest pushed
event time is taken to have arrived: that is the pushes' watermark, while pushes keep coming
(a stream silent for push_idle() holds nothing back any more). The 3CX plugin's requests carry
no time: dated as they arrive, they are in order by construction and wait for nothing of their
own. ``import_logs`` is a stream of its own: its position counts as well. The PBX's watermark
is the smallest of them, and after a database outage no later than where it stood before it
until the pushes the outage refused have been retried (hub.services.outages).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.utils import timezone

from hub.assembly.emission import SETTLE
from hub.models import FILE_KINDS, Call, IngestSource, Pbx
from hub.vocabulary.pbx_event import PbxEvent

# Every event of the PBX has been read up to here: nothing may go out (a followed file not
# read yet).
NOTHING = datetime.min.replace(tzinfo=dt_timezone.utc)
# A stream read to its end: every event of it has been read.
EVERYTHING = datetime.max.replace(tzinfo=dt_timezone.utc)
TIE = timedelta(microseconds=1)
# A line of one file may be written a moment after a later line of another (3CX flushes
# its logs and the CDR on their own).
LIVE_LAG = timedelta(seconds=5)
# A push stream with no push for this long (wall clock) has gone quiet: it holds nothing back
# any more (push_idle: never before a late push could still come). The flush's grace
# (hub.services.ingest.flush) is as long.
PUSH_IDLE = timedelta(seconds=60)
# A pushed time this far past the wall clock is a sender's bug (a wrong zone, a bad clock):
# taken as the stream's position it would let every later push out unordered.
PUSH_FUTURE = timedelta(hours=1)


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


def push_lateness(pbx: Pbx | None = None) -> timedelta:
    """The PBX's lateness allowance (Pbx.push_lateness_seconds), else the hub's default."""
    seconds = getattr(pbx, "push_lateness_seconds", None)
    return timedelta(seconds=settings.PUSH_LATENESS_SECONDS if seconds is None else seconds)


def push_idle(pbx: Pbx | None = None) -> timedelta:
    """How long a push stream is silent before it holds nothing back: PUSH_IDLE, or the
    allowance and a completion's SETTLE when they are longer (until then the beat task moves
    it on with the wall clock, and a late push may still come)."""
    return max(PUSH_IDLE, push_lateness(pbx) + SETTLE)


@dataclass(frozen=True)
class PushPosition:
    """The PBX's push stream as committed (Pbx.pushed_through, pushed_at, push_held_at,
    push_resumed_at)."""
    through: datetime | None
    at: datetime | None
    held_at: datetime | None = None
    resumed_at: datetime | None = None

    def hold(self, pbx: Pbx, now: datetime) -> datetime | None:
        """After a database outage, the event time the PBX's watermark may not pass yet: until
        the refused pushes have been retried (resumed_at) and the allowance after that."""
        if self.held_at is None or self.resumed_at is None or now >= self.resumed_at + push_lateness(pbx):
            return None
        return self.held_at

    def quiet_since(self) -> datetime | None:
        """Since when (wall clock) the stream has been quiet: its last push, or, when later, the
        moment an outage's refused pushes were all retried (the outage is no quiet time)."""
        if self.at is None or self.resumed_at is None:
            return self.at
        return max(self.at, self.resumed_at)


def _push_position(pbx: Pbx) -> PushPosition:
    """The push stream as committed: the caller's ``pbx`` may have been loaded before a
    concurrent push moved it (this runs under the PBX's turn)."""
    return PushPosition(*Pbx.objects.filter(pk=pbx.pk).values_list(
        "pushed_through", "pushed_at", "push_held_at", "push_resumed_at").get())


def push_record(pbx: Pbx, events: list[PbxEvent], now: datetime) -> PushPosition:
    """A push brought ``events``: the push stream is live and has reached the newest of them."""
    position = _push_position(pbx)
    through = position.through
    newest = max((e.occurred_at for e in events if e.occurred_at <= now + PUSH_FUTURE), default=None)
    if newest is not None and (through is None or newest > through):
        through = newest
    Pbx.objects.filter(pk=pbx.pk).update(pushed_through=through, pushed_at=now)
    pbx.pushed_through, pbx.pushed_at = through, now
    return replace(position, through=through, at=now)


def push_hold(pbx: Pbx, now: datetime) -> datetime | None:
    """The event time an outage holds the PBX's watermark at (PushPosition.hold), or None."""
    return _push_position(pbx).hold(pbx, now)


def pbx_watermark(pbx: Pbx, *, own: datetime | None, pushed: list[PbxEvent], now: datetime,
                  between_pushes: bool = False) -> datetime | None:
    """The PBX's watermark for a batch: the smallest of its followed files', its pushes' and
    the caller's own stream's (``own``, an import's; None or EVERYTHING: the caller has none).
    ``pushed``: the batch's events, if they came as a push that carries event times.
    None: nothing waits.

    The pushes' watermark is PUSH_LATENESS before the newest pushed time, while pushes come;
    a stream quiet for push_idle() holds nothing back. ``between_pushes`` (the beat task's pass):
    the wall-clock time since the last push moves it on as well, since a sender's next push
    comes at most PUSH_LATENESS after the newest it could have come before. Batches leave that
    out: what they let out depends on what arrived, never on when. After a database outage
    the watermark stays at or before where it stood until the refused pushes are retried
    (PushPosition.hold), and the outage does not count as time the stream was quiet."""
    position = push_record(pbx, pushed, now) if pushed else _push_position(pbx)
    through, quiet = position.through, position.quiet_since()
    pushes = None
    if through is not None and quiet is not None and quiet >= now - push_idle(pbx):
        pushes = through - push_lateness(pbx) + (max(now - quiet, timedelta(0)) if between_pushes else timedelta(0))
    streams = [followed_watermark(pbx), pushes, None if own == EVERYTHING else own,
               position.hold(pbx, now)]
    present = [time for time in streams if time is not None]
    return min(present) if present else None


def watermark_record(pbx: Pbx, watermark: datetime | None, now: datetime | None = None) -> None:
    """Remember the PBX's reading position in PBX time (idle closing judges by it), moved at
    ``now`` (the wall clock)."""
    if watermark is None or watermark == NOTHING or watermark == pbx.watermark_at:
        return
    now = now or timezone.now()
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

