"""assemble_call: the call record as a pure function of the SET of one call's events.

Events are de-duplicated by (source, dedupe_key), moved to the PBX's zone and sorted by
(occurred_at, source rank, dedupe_key), so arrival order and repeats never change the result.
Every rule keeps the earliest time it sees (start, answer, end), which is why a late or
repeated event can never move a finished call back.
"""
from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import cached_property

from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

from .callflow_rules import CALLFLOW_HANDLERS, Handler
from .cdr import fill_from_cdr, logs_knew_parties, on_cdr
from .draft import Draft
from .finish import CallerFacts, caller_facts, finish
from .names import Names, collect_names
from .queue_rules import QUEUE_HANDLERS
from .record import CallRecord

# At equal times the CallFlow line is the more precise witness, the CDR the least.
SOURCE_RANK: dict[Source, int] = {
    Source.CALLFLOW: 0, Source.QUEUEMANAGER: 1, Source.PLUGIN: 2, Source.NATIVE: 3, Source.CDR: 4,
}

HANDLERS: dict[Kind, Handler] = {**CALLFLOW_HANDLERS, **QUEUE_HANDLERS, Kind.CDR_RECORD: on_cdr}


def sort_key(event: PbxEvent) -> tuple:
    return (event.occurred_at, SOURCE_RANK.get(event.source, 9), event.dedupe_key)


def normalise(events: Iterable[PbxEvent], tz: tzinfo) -> list[PbxEvent]:
    """Distinct events, in the PBX's zone, in the one order every caller agrees on.

    An event already in the zone is kept as it is (no copy): only the others are moved.
    """
    unique = {(e.source, e.dedupe_key): e for e in events}
    local = [e if (at := e.occurred_at).tzinfo is tz or at.tzinfo == tz else _moved(e, at.astimezone(tz))
             for e in unique.values()]
    local.sort(key=sort_key)
    return local


def _moved(e: PbxEvent, at: datetime) -> PbxEvent:
    # What dataclasses.replace(e, occurred_at=at) gives, at half its cost (every stored or CDR
    # event of a call is moved to the PBX's zone each time the call is assembled).
    return PbxEvent(e.source, e.kind, at, e.pbx_call_id, e.dedupe_key, e.data, e.raw)


def _pbx_call_id(events: list[PbxEvent]) -> str | None:
    return next((e.pbx_call_id for e in events if e.pbx_call_id), None)


def assemble_call(events: Iterable[PbxEvent], *, tz: tzinfo) -> CallRecord:
    """The CallRecord of one call's events (see linking.group_calls to split a stream)."""
    return assemble_normalised(normalise(events, tz), tz=tz)


def assemble_normalised(ordered: list[PbxEvent], *, tz: tzinfo) -> CallRecord:
    """assemble_call of events that are ``normalise(events, tz)`` already (a caller that also
    derives the call's catalogue events normalises once for both)."""
    if not ordered:
        raise ValueError("a call needs at least one event")
    draft = Draft(_pbx_call_id(ordered), first_at=ordered[0].occurred_at)
    handlers = HANDLERS
    for event in ordered:
        handler = handlers.get(event.kind)
        if handler is not None:
            handler(draft, event)
    fill_from_cdr(draft, tz)
    return finish(draft, tz)



class Prefix:
    """A call as of a prefix of its ordered events, as derive.py reads it: the events, the
    names they mention, the caller facts and the record, each made when first read. The
    record (finish()) is the costly part, and a seed line's event needs only the caller facts.

    ``since``: the seed line events (derive_seed) of the events before it were derived from
    an earlier prefix already; only the lines from it on are derived.
    """

    def __init__(self, events: list[PbxEvent], record: CallRecord, *, since: int = 0):
        self.events, self.since, self._record = events, since, record

    @property
    def record(self) -> CallRecord:
        return self._record

    @property
    def facts(self) -> CallerFacts | CallRecord:
        return self._record

    @cached_property
    def names(self) -> Names:
        return collect_names(self.events)


class _FoldedPrefix(Prefix):
    """A PrefixAssembler's prefix: its parts come from the assembler's draft, so they must be
    read before the assembler folds further (emission derives each prefix at once)."""

    def __init__(self, assembler: PrefixAssembler, draft: Draft, names: Names, since: int):
        # No record to give Prefix: it is made from the draft when read.
        self.events, self.since, self.names = assembler.ordered[:assembler.count], since, names
        self._assembler, self._count, self._draft = assembler, assembler.count, draft

    def _current(self) -> Draft:
        if self._assembler.count != self._count:
            raise RuntimeError("the assembler has folded past this prefix")
        return self._draft

    @cached_property
    def record(self) -> CallRecord:
        return finish(self._current(), self._assembler.tz)

    @cached_property
    def facts(self) -> CallerFacts | CallRecord:
        return caller_facts(self._current())


class PrefixAssembler:
    """The call as of longer and longer prefixes of one ordered list (emission.py asks for
    it as of several of its events), each event folded once, names included."""

    def __init__(self, ordered: list[PbxEvent], *, tz: tzinfo):
        self.ordered, self.tz, self.count = ordered, tz, 0
        self._draft = Draft(None, first_at=ordered[0].occurred_at) if ordered else None
        self._names = Names()

    def prefix(self, count: int, *, since: int = 0) -> Prefix:
        """The first ``count`` events (``count`` > 0, never fewer than asked before)."""
        if count < self.count:
            raise ValueError("prefixes are asked for in order")
        draft, handlers, names = self._draft, HANDLERS, self._names
        for event in self.ordered[self.count:count]:
            if draft.pbx_call_id is None and event.pbx_call_id:
                draft.pbx_call_id = event.pbx_call_id  # _pbx_call_id() of the prefix
            handler = handlers.get(event.kind)
            if handler is not None:
                handler(draft, event)
            names.learn(event)
        self.count = count
        if draft.cdr is not None:  # filling from the CDR changes the draft: on a copy
            # Its own fields only, unless the CDR must name the parties (then its legs too).
            draft = replace(draft) if logs_knew_parties(draft) else deepcopy(draft)
            fill_from_cdr(draft, self.tz)
        return _FoldedPrefix(self, draft, names.copy(), since)
