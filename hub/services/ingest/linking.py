"""Which stored call each new event belongs to: the DB mirror of hub.assembly.linking.

An event names its call by Call(C:N) or, for queue lines, by a QCID linked to one. C:N
numbers recycle (every PBX restart), so an event with a number joins the latest call of N
that started before it (an old CDR imported late finds its old call), unless that call had
ended before it (before a start line; more than LATE_EVENT_SLACK before anything else): then
it opens a new call. A QCID is linked to one stored call, which the event joins whatever its time.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from hashlib import blake2b

from django.db import connection

from hub.assembly import qcid_links
from hub.assembly.linking import START_KINDS
from hub.models import Call, CallState, Pbx, QcidLink, StoredPbxEvent
from hub.services.ingest.fast_insert import objects_insert, rows_insert
from hub.services.ingest.sql_in import in_values, select_in
from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

END_KINDS = frozenset({Kind.CALL_TERMINATED})
# Events that follow a call's end (recording saved, the CDR record) arrive within seconds.
LATE_EVENT_SLACK = timedelta(minutes=10)
# A call's first stored event may be a little later than its real start (the QueueManager
# line before the CallFlow one), so an event this much before a call can still be its own.
EARLY_EVENT_SLACK = timedelta(minutes=10)
# How long a call may have been going on before its earliest event the hub has seen.
UNKNOWN_START_REACH = timedelta(hours=12)
# Calls of the same number further apart than this from a batch's events are not candidates.
CANDIDATE_WINDOW = timedelta(days=2)


def _shift(at: datetime, delta: timedelta) -> datetime:
    """at + delta, held inside datetime's range (a pushed event may be dated near year 1)."""
    try:
        return at + delta
    except OverflowError:
        return datetime.max.replace(tzinfo=at.tzinfo) if delta > timedelta(0) else datetime.min.replace(tzinfo=at.tzinfo)


def _named_call(event: PbxEvent) -> str | None:
    """The unique_call_id an event names outright (the plugin's call id does): it belongs to
    that call and no other of its number."""
    return event.data.get("unique_call_id") if event.source == Source.PLUGIN else None


def _call_time(event: PbxEvent) -> datetime:
    """When the event's call was going on: a CDR record is dated by its end, its call started
    at time_start; a plugin event's call at its call id's time."""
    if _named_call(event) and event.data.get("call_start_at"):
        return datetime.fromisoformat(event.data["call_start_at"])
    start = event.data.get("time_start") if event.kind == "cdr.record" else None
    try:
        return datetime.fromisoformat(start) if start else event.occurred_at
    except ValueError:
        return event.occurred_at


def _calls_in(column: str, values, where: str = "", params=()) -> list[Call]:
    """Calls whose ``column`` is in ``values`` (and that meet ``where``), each with
    ``has_start_line``: whether a start line of it is stored. Asked in the same statement
    (one round trip less per push: this runs in every ingest transaction)."""
    qn, found = connection.ops.quote_name, []
    events, starts = qn(StoredPbxEvent._meta.db_table), ", ".join(["%s"] * len(START_KINDS))
    started = (f"EXISTS (SELECT 1 FROM {events} WHERE {events}.call_id = c.id AND {events}.kind IN ({starts}))"
               " AS has_start_line")
    for condition, extra in in_values(f"c.{qn(column)}", values):
        sql = (f"SELECT c.*, {started} FROM {qn(Call._meta.db_table)} c WHERE {condition}"
               + (f" AND {where}" if where else ""))
        found += Call.objects.raw(sql, [*(k.value for k in START_KINDS), *extra, *params])
    return found


@lru_cache(maxsize=1)
def _call_defaults() -> list[tuple[str, object]] | None:
    """(attname, default) of each of Call's fields in order; None if a default is built per
    instance (a callable), which only the keyword path builds."""
    fields = Call._meta.concrete_fields
    if any(f.has_default() and callable(f.default) for f in fields):
        return None
    return [(f.attname, f.get_default()) for f in fields]


def _new_call(**values) -> Call:
    """Call(**values) (keyed by attname), built from positional values: on the keyword path
    Model.__init__ raises and catches a KeyError for each field left to its default, which
    made building a call cost about as much as the rest of linking its event."""
    defaults = _call_defaults()
    if defaults is None:
        return Call(**values)
    return Call(*[values.get(name, default) for name, default in defaults])


def _pending_id(pbx_call_id: str, event: PbxEvent) -> str:
    """A new call's unique_call_id until assembly gives it the real one. It must differ from
    every other call's, also a recycled number's in the same batch, and no part of a dedupe key
    is unique on its own (log keys begin with their time, plugin keys with the call's id), so
    it carries a hash of the whole key."""
    return f"pending-{pbx_call_id}-{blake2b(event.dedupe_key.encode(), digest_size=8).hexdigest()}"


def _qcids_named(events: list[PbxEvent]) -> set[str]:
    keys = ("qcid", "to_qcid", "for_qcid")
    return {str(e.data[k]) for e in events for k in keys if e.data.get(k)}


@dataclass
class CallLinker:
    pbx: Pbx
    qcid_calls: dict[str, Call] = field(default_factory=dict)  # qcid -> call, from the DB
    by_number: dict[str, list[Call]] = field(default_factory=dict)  # pbx_call_id -> calls by start
    # Calls are told apart by identity: new ones have no pk until calls_save().
    started: set[int] = field(default_factory=set)  # id() of calls that have a start line
    new_qcids: set[str] = field(default_factory=set)
    ended_seen: dict[int, datetime] = field(default_factory=dict)  # id() -> end seen in this batch
    new_calls: list[Call] = field(default_factory=list)  # created, not saved yet
    known: list[Call] = field(default_factory=list)  # keeps every call alive (id() stays unique)
    named: dict[int, str] = field(default_factory=dict)  # id() of a new call -> the plugin's id for it

    @classmethod
    def load(cls, pbx: Pbx, events: list[PbxEvent]) -> "CallLinker":
        """The calls these events may join: by QCID, and by number around their times. Plain
        queries with one array parameter on PostgreSQL (see sql_in): a batch names
        thousands of numbers and QCIDs."""
        linker = cls(pbx)
        links = dict(select_in(f"SELECT qcid, call_id FROM {QcidLink._meta.db_table} WHERE pbx_id = %s AND",
                               [pbx.pk], "qcid", sorted(_qcids_named(events))))
        call_ids = sorted({e.pbx_call_id for e in events if e.pbx_call_id})
        times = [_call_time(e) for e in events] or [None]
        where, params = "c.pbx_id = %s", [pbx.pk]
        if times[0] is not None:
            # Calls that were going on around the batch's events: started before them and
            # still open, or last heard of near them (a call's start may come from the PBX's
            # clock and its later events from ours, so the start alone is no guide).
            adapt = connection.ops.adapt_datetimefield_value
            where += " AND (c.state = %s OR c.last_event_at >= %s) AND c.call_start_at <= %s"
            params += [CallState.IN_PROGRESS, adapt(_shift(min(times), -CANDIDATE_WINDOW)),
                       adapt(_shift(max(times), CANDIDATE_WINDOW))]
        candidates = _calls_in("pbx_call_id", call_ids, where, params)
        # A call the plugin's id names is its call however long ago it was last heard of.
        named = sorted({uid for e in events if (uid := _named_call(e))})
        candidates += _calls_in("unique_call_id", named, "c.pbx_id = %s", [pbx.pk]) if named else []
        by_pk = {call.pk: call for call in sorted(candidates, key=lambda c: (c.call_start_at, c.pk))}
        for call in by_pk.values():
            linker.by_number.setdefault(call.pbx_call_id, []).append(call)
        by_pk.update((c.pk, c) for c in _calls_in("id", sorted(set(links.values()) - set(by_pk))))
        linker.qcid_calls = {q: by_pk[pk] for q, pk in links.items()}
        linker.known = list(by_pk.values())
        linker.started = {id(call) for call in linker.known if call.__dict__.pop("has_start_line")}
        return linker

    def link(self, event: PbxEvent) -> Call | None:
        """The call of ``event``, creating it when the event opens a new one; None if unknown."""
        for link in qcid_links(event):
            # A callback or transfer names its new QCID and the parent in one line: link the
            # new QCID to the parent's call first, so this very event can resolve through it.
            parent = self.qcid_calls.get(link.parent_qcid or "")
            if parent is not None:
                self._remember(link.qcid, parent)
        if event.pbx_call_id:
            call = self._call_for(event.pbx_call_id, event)
        else:
            # A QCID names its call exactly (unlike a recycled C:N), however late the line is:
            # a callback dialled an hour after the call ended still belongs to that call.
            call = self.qcid_calls.get(str(event.data.get("qcid") or ""))
            if call is None:
                return None
        for link in qcid_links(event):
            self._remember(link.qcid, call)
        if event.kind in START_KINDS:
            self.started.add(id(call))
        if event.kind in END_KINDS:
            self.ended_seen[id(call)] = max(filter(None, [self.ended_seen.get(id(call)), event.occurred_at]))
        return call

    def _remember(self, qcid: str, call: Call) -> None:
        if qcid not in self.qcid_calls:
            self.qcid_calls[qcid] = call
            self.new_qcids.add(qcid)

    def _neighbours(self, pbx_call_id: str, event: PbxEvent) -> tuple[Call | None, Call | None]:
        """The latest call of this number that started before the event (with slack), and
        the first one after it."""
        calls = self.by_number.get(pbx_call_id, [])
        index = bisect_right([c.call_start_at for c in calls], _shift(_call_time(event), EARLY_EVENT_SLACK))
        return (calls[index - 1] if index else None), (calls[index] if index < len(calls) else None)

    def _call_named(self, pbx_call_id: str, unique_call_id: str) -> Call | None:
        """The call of this number the plugin's id names: stored under that id, or opened in
        this batch by an event naming it."""
        return next((call for call in self.by_number.get(pbx_call_id, [])
                     if self.named.get(id(call), call.unique_call_id) == unique_call_id), None)

    def _call_for(self, pbx_call_id: str, event: PbxEvent) -> Call:
        named = _named_call(event)
        if named:
            # Never another call of the number, however near in time (a recording of a call the
            # hub never heard of is no part of the number's latest call): that call, or a new one.
            call = self._call_named(pbx_call_id, named)
            return call if call is not None else self._open(pbx_call_id, event, named)
        before, after = self._neighbours(pbx_call_id, event)
        if before is not None and not self._opens_new_call(before, event):
            return before
        # A call stored from its later events only (no start line yet) has a provisional start
        # that may be too late: an earlier event of that number joins it.
        if after is not None and id(after) not in self.started \
                and after.call_start_at - _call_time(event) <= UNKNOWN_START_REACH:
            return after
        return self._open(pbx_call_id, event)

    def _open(self, pbx_call_id: str, event: PbxEvent, named: str | None = None) -> Call:
        call = _new_call(
            account_id=self.pbx.account_id, pbx_id=self.pbx.pk, pbx_call_id=pbx_call_id,
            unique_call_id=_pending_id(pbx_call_id, event),
            direction="inbound", call_start_at=_call_time(event), last_event_at=event.occurred_at,
        )
        if named:
            self.named[id(call)] = named
        calls = self.by_number.setdefault(pbx_call_id, [])
        calls.insert(bisect_right([c.call_start_at for c in calls], call.call_start_at), call)
        self.new_calls.append(call)
        self.known.append(call)
        return call

    def calls_save(self) -> list[Call]:
        """Insert the calls created since the last save, in one statement; returns them."""
        created, self.new_calls = self.new_calls, []
        objects_insert(created)
        return created

    def _opens_new_call(self, call: Call, event: PbxEvent) -> bool:
        ended_at = self.ended_seen.get(id(call)) or (call.ended_at if call.state == CallState.ENDED else None)
        if ended_at is None and call.state == CallState.CLOSED_IDLE and call.ended_at is not None:
            # Closed for silence, so its end is a guess: its own lines still join it (an old log
            # read later, a source that was stuck), up to the silence that closed it; a start
            # line after that guess is the number's next call.
            if event.kind in START_KINDS:
                return event.occurred_at > call.ended_at
            return event.occurred_at > _shift(call.ended_at, timedelta(seconds=self.pbx.idle_call_timeout))
        if ended_at is not None:
            # An ended call still takes its late events (recording, CDR) for a while; a start
            # line after its end, or anything much later, is the number's next call.
            limit = ended_at if event.kind in START_KINDS else _shift(ended_at, LATE_EVENT_SLACK)
            return event.occurred_at > limit
        # Still open: another start line is the same call seen again (a retried push, the
        # plugin's incoming and outgoing of one call) unless it comes far later.
        return (event.kind in START_KINDS and id(call) in self.started
                and _call_time(event) - call.call_start_at > UNKNOWN_START_REACH)

    def links_save(self) -> None:
        """Insert the QCID links made since load(), in one statement (plain rows: a batch makes
        hundreds); a link stored meanwhile stays as it is."""
        rows_insert(QcidLink, ("pbx", "qcid", "call"),
                    [(self.pbx.pk, q, self.qcid_calls[q].pk) for q in self.new_qcids], ignore_conflicts=True)
