"""Call history as the cloud PBX's Integration/API publishes it: one row per user, queue or
ring-group leg (formats.md §5 and §8).

Every query starts from the leg table's (account, user|queue|ring_group, call_start_at, call)
index: account first, then the filter, then the time range, in index order.

Row semantics:
- user rows: the user who placed an outbound or internal call (the call's first user leg,
  which never rang) gets ``user_outbound_answered`` / ``user_outbound_unanswered``; every other
  user leg — inbound calls, and the called side of internal calls — gets
  ``user_inbound_answered`` / ``user_inbound_missed``. An internal call therefore shows as
  outbound for the caller and inbound for the callee, as its webhooks do.
- ``call_duration`` runs from the call's start to the end of this user's part (the call's end,
  or the moment the user transferred the call on); ``conversation_duration`` from the leg's
  answer (``connected_at``) to that same end. Rows stored before legs had their own end
  (``UserLeg.ended_at``) fall back to the call's end.
- queue rows: ``type`` ``queue_call``, ends when the call left the queue; ring-group rows:
  ``type`` ``ring_group_call``; the agent who answered is the row's user.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache

from django.db.models import Q, QuerySet

from hub.models import Account, Pbx, PbxUser, Queue, QueueLeg, RingGroup, RingGroupLeg, UserLeg
from hub.selectors.prepared import fetch_all
from hub.vocabulary.timezones import parse_timezone


@dataclass(frozen=True)
class HistoryQuery:
    from_date: date | None = None
    to_date: date | None = None
    newest_first: bool = True
    offset: int = 0
    limit: int = 100
    unique_call_id: str | None = None


@cache
def _tz(name: str) -> tzinfo:
    return parse_timezone(name)


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _date_range(pbxes: list[Pbx], query: HistoryQuery) -> Q:
    """The dates are each PBX's local days, so the range is cut per time zone."""
    if query.from_date is None and query.to_date is None:
        return Q()
    by_zone: dict[str, list[int]] = defaultdict(list)
    for pbx in pbxes:
        by_zone[pbx.timezone].append(pbx.pk)
    ranges = Q(pk__in=[])
    for zone, pbx_ids in by_zone.items():
        tz = _tz(zone)
        cut = Q()
        if query.from_date is not None:
            cut &= Q(call_start_at__gte=_day_start(query.from_date, tz))
        if query.to_date is not None:
            cut &= Q(call_start_at__lt=_day_start(query.to_date + timedelta(days=1), tz))
        # One zone for the whole account (the usual case) needs no PBX condition at all.
        ranges |= cut if len(by_zone) == 1 else cut & Q(pbx_id__in=pbx_ids)
    return ranges


def _page(legs: QuerySet, *, account: Account, pbxes: list[Pbx], query: HistoryQuery) -> list:
    legs = legs.filter(account=account).filter(_date_range(pbxes, query))
    if query.unique_call_id:
        legs = legs.filter(call__unique_call_id=query.unique_call_id)
    order = ["call_start_at", "call_id", "position", "id"]
    if query.newest_first:
        order = [f"-{field}" for field in order]
    legs = legs.select_related("call").order_by(*order)
    return list(legs[query.offset:query.offset + query.limit])


def _names(model, pbx_numbers: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    if not pbx_numbers:
        return {}
    numbers = {number for _, number in pbx_numbers}
    pbx_ids = {pbx_id for pbx_id, _ in pbx_numbers}
    rows = model.objects.filter(pbx_id__in=pbx_ids, number__in=numbers).values_list("pbx_id", "number", "name")
    return {(pbx_id, number): name for pbx_id, number, name in rows}


def _iso(at: datetime | None, tz: tzinfo) -> str | None:
    if at is None:
        return None
    local = at.astimezone(tz)
    # PBX times are whole seconds as a rule; replace() costs as much as the conversion.
    return (local.replace(microsecond=0) if local.microsecond else local).isoformat()


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def _base(call, tz: tzinfo, *, user: str, user_name: str, connected: datetime | None, end: datetime | None) -> dict:
    return {
        "unique_call_id": call.unique_call_id, "caller_id": call.caller_number, "caller_name": call.caller_name,
        "dest_number": call.dest_number, "user_name": user_name, "user_number": user,
        "call_start_at": _iso(call.call_start_at, tz), "connected_at": _iso(connected, tz),
        "call_duration": _seconds(call.call_start_at, end),
        # Unknown while the call is in progress; 0 once it ended without an answer.
        "conversation_duration": None if end is None else (_seconds(connected, end) or 0),
    }


# The page of user rows as one hand-written statement (hub.selectors.prepared): the ORM spent
# more CPU building and compiling this query than PostgreSQL spends running it. "placed" is the
# outbound/internal caller's own leg (first, never rang). The user's directory name is a left
# join on the unique (pbx, number) constraint, so at most one row matches. As a correlated
# subquery (LIMIT 1) PostgreSQL ran it as a sequential scan of the directory per row, comparing
# every entry: ~0.2 ms of the page's ~0.5 ms; joined, it probes the unique index.
_USER_PAGE_SQL = """
SELECT ul.pbx_id, ul."user",
       CASE WHEN ul.position = 0 AND ul.rang_at IS NULL AND c.direction IN ('outbound', 'internal')
            THEN 1 ELSE 0 END,
       ul.answered_at, ul.ended_at, c.unique_call_id, c.caller_number, c.caller_name, c.dest_number,
       c.call_start_at, c.connected_at, c.ended_at, u.name
FROM {legs} ul JOIN hub_call c ON c.id = ul.call_id AND c.account_id = %s
     LEFT JOIN hub_pbxuser u ON u.pbx_id = ul.pbx_id AND u.number = ul."user"
WHERE {where}
ORDER BY ul.call_start_at {order}, ul.call_id {order}, ul.position {order}, ul.id {order}
LIMIT %s OFFSET %s
"""
# One user's first offset+limit legs, in page order, straight from the (account, user,
# call_start_at, call, position, id) index. The page of a few users merges these (UNION ALL, then the page's
# ORDER BY): PostgreSQL reads ~limit legs per user instead of filtering every leg of the
# account in the range, and the plan holds for any parameters, so it is prepared once.
_ONE_USER_SQL = """SELECT * FROM (
  SELECT l.id, l.account_id, l.pbx_id, l.call_id, l.call_start_at, l.position, l."user", l.rang_at,
         l.answered_at, l.ended_at
  FROM hub_userleg l WHERE l.account_id = %s AND l."user" = %s{range}
  ORDER BY l.call_start_at {order}, l.call_id {order}, l.position {order}, l.id {order} LIMIT %s) u{n}"""


def _range_sql(zones: dict[int, str], query: HistoryQuery, legs: str) -> tuple[str, list]:
    """_date_range as SQL on the leg table aliased ``legs``: the dates are each PBX's local days."""
    if query.from_date is None and query.to_date is None:
        return "", []
    by_zone: dict[str, list[int]] = defaultdict(list)
    for pbx_id, zone in zones.items():
        by_zone[zone].append(pbx_id)
    cuts, params = [], []
    for zone, pbx_ids in by_zone.items():
        tz, cut = _tz(zone), []
        if query.from_date is not None:
            cut.append(f"{legs}.call_start_at >= %s")
            params.append(_day_start(query.from_date, tz))
        if query.to_date is not None:
            cut.append(f"{legs}.call_start_at < %s")
            params.append(_day_start(query.to_date + timedelta(days=1), tz))
        if len(by_zone) > 1:  # one zone for the whole account (the usual case) needs no PBX condition
            cut.append(f"{legs}.pbx_id IN ({', '.join(['%s'] * len(pbx_ids))})")
            params.extend(pbx_ids)
        cuts.append(" AND ".join(cut))
    return f" AND (({') OR ('.join(cuts)}))", params


def _user_page_sql(*, account: Account, users: list[str] | None, zones: dict[int, str],
                   query: HistoryQuery) -> tuple[str, list]:
    order = "DESC" if query.newest_first else "ASC"
    if users and not query.unique_call_id:
        range_sql, range_params = _range_sql(zones, query, "l")
        legs, params = [], []
        for n, user in enumerate(users):
            legs.append(_ONE_USER_SQL.format(range=range_sql, order=order, n=n))
            params += [account.pk, user, *range_params, query.offset + query.limit]
        sql = _USER_PAGE_SQL.format(legs=f"({' UNION ALL '.join(legs)})", where="1 = 1", order=order)
        return sql, [*params, account.pk, query.limit, query.offset]
    range_sql, params = _range_sql(zones, query, "ul")
    where = f"ul.account_id = %s{range_sql}"
    if users:
        where += f' AND ul."user" IN ({", ".join(["%s"] * len(users))})'
        params.extend(users)
    if query.unique_call_id:
        where += " AND c.unique_call_id = %s"
        params.append(query.unique_call_id)
    sql = _USER_PAGE_SQL.format(legs="hub_userleg", where=where, order=order)
    return sql, [account.pk, account.pk, *params, query.limit, query.offset]


def _user_row(values: tuple, tz: tzinfo) -> dict:
    (_, user, placed, answered_at, leg_ended_at, unique_call_id, caller_number, caller_name, dest_number,
     call_start_at, call_connected_at, call_ended_at, user_name) = values
    ended_at = leg_ended_at or call_ended_at
    if placed:
        connected = call_connected_at
        kind = "user_outbound_answered" if connected else "user_outbound_unanswered"
    else:
        connected = answered_at
        kind = "user_inbound_answered" if connected else "user_inbound_missed"
    # Keys in the order of CallRow (hub/api/integration/serializers.py), which documents them.
    return {
        "unique_call_id": unique_call_id, "type": kind, "caller_id": caller_number, "caller_name": caller_name,
        "dest_number": dest_number, "user_name": user_name or "", "user_number": user,
        "call_start_at": _iso(call_start_at, tz), "connected_at": _iso(connected, tz),
        "call_duration": _seconds(call_start_at, ended_at),
        # Unknown while the call is in progress; 0 once it ended without an answer.
        "conversation_duration": None if ended_at is None else (_seconds(connected, ended_at) or 0),
    }


def _pbx_map(account: Account) -> dict[int, Pbx]:
    return {pbx.pk: pbx for pbx in Pbx.objects.filter(account=account).only("id", "timezone")}


def pbx_zones(*, account: Account) -> dict[int, str]:
    return {pk: pbx.timezone for pk, pbx in _pbx_map(account).items()}


def user_call_rows(*, account: Account, users: list[str] | None, query: HistoryQuery,
                   zones: dict[int, str] | None = None) -> list[dict]:
    """``zones``: the account's PBX time zones (pbx_zones) when the caller already has them."""
    zones = pbx_zones(account=account) if zones is None else zones
    if not zones:
        return []  # no PBX, no calls
    sql, params = _user_page_sql(account=account, users=users, zones=zones, query=query)
    # Prepared, the IN-list form got a generic plan that walked the account's legs (18 ms);
    # the per-user form and the all-users form keep the right plan for any parameters.
    rows = fetch_all(sql, params, prepare=not (users and query.unique_call_id))
    tzs = {pk: _tz(zone) for pk, zone in zones.items()}
    return [_user_row(values, tzs[values[0]]) for values in rows]


def _number_or_name(model, *, account: Account, field: str, values: list[str] | None) -> Q:
    """``822`` or ``Sales``: a value matches the leg's number, or the number of the
    directory entry so named on that PBX (names are per PBX; numbers may repeat across PBXes)."""
    if not values:
        return Q()
    match = Q(**{f"{field}__in": values})
    named = model.objects.filter(pbx__account=account, name__in=values).values_list("pbx_id", "number")
    for pbx_id, number in named:
        match |= Q(pbx_id=pbx_id, **{field: number})
    return match


def _agent_answer(call, agent: str, **via) -> datetime | None:
    legs = [u for u in call.user_legs.all() if u.user == agent and all(getattr(u, k) == v for k, v in via.items())]
    return min((u.answered_at for u in legs if u.answered_at), default=None)


def queue_call_rows(*, account: Account, queues: list[str] | None, query: HistoryQuery) -> list[dict]:
    pbxes = _pbx_map(account)
    legs = QueueLeg.objects.filter(_number_or_name(Queue, account=account, field="queue", values=queues))
    page = _page(legs.prefetch_related("call__user_legs"), account=account, pbxes=list(pbxes.values()), query=query)
    users = _names(PbxUser, {(leg.pbx_id, leg.agent) for leg in page if leg.agent})
    queue_names = _names(Queue, {(leg.pbx_id, leg.queue) for leg in page})
    rows = []
    for leg in page:
        tz = _tz(pbxes[leg.pbx_id].timezone)
        connected = _agent_answer(leg.call, leg.agent, via_queue=leg.queue) if leg.agent else None
        end = leg.left_at or leg.call.ended_at
        row = {"type": "queue_call"} | _base(leg.call, tz, user=leg.agent, connected=connected, end=end,
                                              user_name=users.get((leg.pbx_id, leg.agent), ""))
        rows.append(row | {"queue_number": leg.queue, "queue_name": queue_names.get((leg.pbx_id, leg.queue), ""),
                           "status": leg.status, "outcome": leg.outcome or _OUTCOMES[leg.status]})
    return rows


# One vocabulary for queue and ring-group rows: status is answered | abandoned; outcome is
# 3CX's reason (Serviced, Abandoned, Callback requested, Transferred, Timeout), and where the
# PBX gave none (a ring group, a queue the 3CX Webhook plugin reported) the status in its words.
_OUTCOMES = {"answered": "Serviced", "abandoned": "Abandoned"}


def ring_group_call_rows(*, account: Account, ring_groups: list[str] | None, query: HistoryQuery) -> list[dict]:
    pbxes = _pbx_map(account)
    legs = RingGroupLeg.objects.filter(
        _number_or_name(RingGroup, account=account, field="ring_group", values=ring_groups))
    page = _page(legs.prefetch_related("call__user_legs"), account=account, pbxes=list(pbxes.values()), query=query)
    users = _names(PbxUser, {(leg.pbx_id, leg.agent) for leg in page if leg.agent})
    group_names = _names(RingGroup, {(leg.pbx_id, leg.ring_group) for leg in page})
    rows = []
    for leg in page:
        tz = _tz(pbxes[leg.pbx_id].timezone)
        connected = _agent_answer(leg.call, leg.agent, via_ring_group=leg.ring_group) if leg.agent else None
        row = {"type": "ring_group_call"} | _base(leg.call, tz, user=leg.agent, connected=connected,
                                                  end=leg.call.ended_at,
                                                  user_name=users.get((leg.pbx_id, leg.agent), ""))
        rows.append(row | {"ring_group_number": leg.ring_group,
                           "ring_group_name": group_names.get((leg.pbx_id, leg.ring_group), ""),
                           # 3CX gives a ring group no reason: its status in the queues' words.
                           "status": leg.status, "outcome": _OUTCOMES[leg.status]})
    return rows


# --- /api/v1/calls: whole calls, keyset-paged --------------------------------------------

@dataclass(frozen=True)
class CallFilters:
    direction: str | None = None
    status: str | None = None  # answered | unanswered
    caller_number: str | None = None
    did: str | None = None
    start_from: datetime | date | None = None  # a date is that day in each PBX's zone
    start_to: datetime | date | None = None  # inclusive day, or exclusive instant
    user: str | None = None
    queue: str | None = None


def _call_time_range(pbxes: list[Pbx], filters: CallFilters) -> Q:
    cut = Q()
    if isinstance(filters.start_from, datetime):
        cut &= Q(call_start_at__gte=filters.start_from)
    if isinstance(filters.start_to, datetime):
        cut &= Q(call_start_at__lt=filters.start_to)
    days = HistoryQuery(
        from_date=None if isinstance(filters.start_from, datetime) else filters.start_from,
        to_date=None if isinstance(filters.start_to, datetime) else filters.start_to)
    return cut & _date_range(pbxes, days)


def _call_filters(account: Account, filters: CallFilters) -> Q:
    from django.db.models import Exists, OuterRef

    match = Q()
    for field in ("direction", "caller_number", "did"):
        if getattr(filters, field):
            match &= Q(**{field: getattr(filters, field)})
    if filters.status:
        match &= Q(connected_at__isnull=filters.status != "answered")
    if filters.user:
        match &= Q(Exists(UserLeg.objects.filter(account=account, user=filters.user, call=OuterRef("pk"))))
    if filters.queue:
        queues = _number_or_name(Queue, account=account, field="queue", values=[filters.queue])
        match &= Q(Exists(QueueLeg.objects.filter(queues, account=account, call=OuterRef("pk"))))
    return match


def call_page(*, account: Account, filters: CallFilters, newest_first: bool, limit: int,
              after: tuple[datetime, int] | None = None) -> list:
    """Up to ``limit`` calls after the keyset position ``after`` = (call_start_at, id) of the
    last call of the previous page: no OFFSET, so page 10 000 costs what page 1 costs."""
    from hub.models import Call
    from hub.selectors.calls import calls_with_legs

    pbxes = list(_pbx_map(account).values())
    calls = Call.objects.filter(account=account).filter(_call_time_range(pbxes, filters))
    calls = calls.filter(_call_filters(account, filters))
    if after is not None:
        start, pk = after
        if newest_first:
            calls = calls.filter(Q(call_start_at__lt=start) | Q(call_start_at=start, pk__lt=pk))
        else:
            calls = calls.filter(Q(call_start_at__gt=start) | Q(call_start_at=start, pk__gt=pk))
    order = ["-call_start_at", "-pk"] if newest_first else ["call_start_at", "pk"]
    return list(calls_with_legs(calls.order_by(*order))[:limit])


def call_events(*, call) -> list[dict]:
    tz = _tz(call.pbx.timezone)
    events = call.catalogue_events.order_by("sequence", "occurred_at", "id")
    return [{"trigger": e.trigger, "sequence": e.sequence, "occurred_at": _iso(e.occurred_at, tz),
             "payload": e.payload} for e in events]
