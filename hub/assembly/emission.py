"""Which of a call's catalogue events go out now, and from what knowledge (event time).

A PBX's sources (two logs, the CDR, pushes) are read at different paces and in any order, so
what the hub knows of a call at a given moment depends on the reading order. The catalogue
must not: each event is derived from a PREFIX of its call's events in event time, the
shortest one that derives it from its gate on (see ``gate``), and it goes out only once the
``watermark`` has passed that gate: every event at or before the watermark has been read, so
that prefix is complete and the same whatever the order. Arriving first or last, in one
batch or a thousand, the same events come out with the same keys and payloads.

- A line's own fact (call_received, call_answered, call_dtmf, user_inbound, …) gates at its
  time: it goes out as soon as every source has passed it, never dropped for coming late.
- A completion event (user_*_completed, queue_call, ring_group_call) gates SETTLE after the
  end it reports, so the lines written just after an end (the CDR, a saved recording) are
  part of the truth it carries.
- Events whose gate the watermark has not passed wait; the caller keeps the earliest such
  gate (``Emission.due``) and comes back when the watermark passes it.
"""
from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from hashlib import blake2b

from hub.vocabulary.pbx_event import PbxEvent

from .assemble import Prefix, PrefixAssembler, assemble_normalised
from .catalogue_event import CatalogueEvent, in_catalogue_order
from .derive import family_of
from .record import CallRecord

# How long after the end it reports a completion event waits for late witnesses of the call
# (the CDR line is written as the call ends, a recording is saved a moment after it).
SETTLE = timedelta(seconds=10)
COMPLETION_TRIGGERS = frozenset({
    "user_inbound_completed", "user_outbound_completed", "queue_call", "ring_group_call",
    "webhook_component_event",
})

# derive(prefix, triggers): the catalogue events of the call as of ``prefix``, of every trigger
# (None) or at least of these (a family of them: derive.family_of), in any order.
Derive = Callable[[Prefix, frozenset[str] | None], list[CatalogueEvent]]


def gate(event: CatalogueEvent) -> datetime:
    """The event time the watermark must pass before ``event`` may go out."""
    return event.occurred_at + SETTLE if event.trigger in COMPLETION_TRIGGERS else event.occurred_at


def call_anchor(ordered: list[PbxEvent]) -> str:
    """A call's part of its events' keys: a hash of its earliest event (in the one order of
    normalise()). Row ids depend on which source was read first; the earliest event does
    not, once the watermark has passed it, which it has before any of the call's events go out."""
    first = ordered[0]
    return "c" + blake2b(f"{first.source}\x00{first.dedupe_key}".encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Emission:
    events: list[CatalogueEvent]  # to store (the caller inserts only keys not stored yet)
    due: datetime | None  # the earliest event time at which more may go out; None: nothing waits


def emissions(ordered: list[PbxEvent], *, tz: tzinfo, derive: Derive, emitted: set[str],
              watermark: datetime | None, record: CallRecord | None = None) -> Emission:
    """The events of the call whose ``ordered`` events (normalise()d) may go out now.

    ``watermark``: every event of the PBX at or before it has been read; None: everything
    there is has been read (a flush, or a PBX with no followed files). ``emitted``: keys stored
    already. ``derive`` gives a prefix's events (key, trigger, time, payload). ``record``: the
    call's record from all of ``ordered``, as its caller stores it (closed as idle, if it is).
    """
    known = ordered if watermark is None else ordered[:bisect_right([e.occurred_at for e in ordered], watermark)]
    due = ordered[len(known)].occurred_at if len(known) < len(ordered) else None
    if not known:
        return Emission([], due)
    times = [e.occurred_at for e in known]
    whole = record if record is not None and len(known) == len(ordered) else assemble_normalised(known, tz=tz)
    latest = {e.key: e for e in derive(Prefix(known, whole), None)}
    # An event gated before the last known event comes from the prefix its gate ends (by its
    # count of ``known``) or a longer one; the others as derived from all that is known.
    out: list[CatalogueEvent] = []
    gated: dict[int, list[CatalogueEvent]] = defaultdict(list)
    for key, event in latest.items():
        if key in emitted:
            continue
        at = gate(event)
        if watermark is not None and at > watermark:
            due = at if due is None else min(due, at)
            continue
        count = bisect_right(times, at) or bisect_right(times, times[0])  # no events derive nothing
        if count < len(known):
            gated[count].append(event)
        else:
            out.append(event)
    if gated:
        out += _from_prefixes(known, times, gated, tz=tz, derive=derive)
    return Emission(in_catalogue_order(out), due)


def _from_prefixes(known: list[PbxEvent], times: list[datetime], gated: dict[int, list[CatalogueEvent]],
                   *, tz: tzinfo, derive: Derive) -> list[CatalogueEvent]:
    """``gated``'s events (as derived from all of ``known``, by the prefix their gate ends) as
    the shortest prefix from their gate on that derives them derives them: the same whatever
    was read beyond the watermark. The prefixes are folded in order, each event once, and each
    is derived once, for the families waiting at it; an event it does not derive yet waits
    for the next one (up to the next event time)."""
    assembler = PrefixAssembler(known, tz=tz)
    counts = list(gated)
    heapq.heapify(counts)
    out = []
    while counts:
        count = heapq.heappop(counts)
        waiting = gated.pop(count)
        triggers = frozenset().union(*(family_of(e.trigger) for e in waiting))
        # A seed line's event waits at the prefix its own line ends (it gates at its time):
        # lines before the prefix's last time were derived at earlier prefixes.
        prefix = assembler.prefix(count, since=bisect_left(times, times[count - 1]))
        found = {e.key: e for e in derive(prefix, triggers)}
        for event in waiting:
            if event.key in found:
                out.append(found[event.key])
                continue
            later = bisect_right(times, times[count])
            if later == len(known):
                out.append(event)  # derived from all that is known
            else:
                if later not in gated:
                    heapq.heappush(counts, later)
                gated[later].append(event)
    return out
