"""Claiming deliveries: a batch at a time, with per-call order and per-endpoint concurrency.

A delivery may be sent only when no earlier delivery of the same (endpoint, call) is still
pending or sending, and while fewer than ``max_concurrency`` of its endpoint's deliveries are
being sent. The endpoint row is locked for the two statements of a claim, so two claimers
(two worker processes, or a pump and a single attempt) cannot both take the last free slot;
the order rule needs no lock, because an earlier delivery only ever leaves pending/sending (an
admin's redeliver is the exception, and then it queues again). The claim is hand-written SQL:
it runs once per batch on the hot path, where the ORM's query building cost more CPU than
sending the requests did.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from hub.models import CatalogueEvent, Delivery, DeliveryStatus, WebhookEndpoint

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def _earlier_open() -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        Q(sequence__lt=OuterRef("sequence")) | Q(sequence=OuterRef("sequence"), id__lt=OuterRef("id")),
        endpoint_id=OuterRef("endpoint_id"), call_id=OuterRef("call_id"), status__in=OPEN,
    )


def due(*, now: datetime) -> QuerySet[Delivery]:
    """Pending, due, and first in line of its call (deliveries without a call are never held).

    Pending rows always carry ``next_attempt_at`` (migration 0006 filled the old ones), so the
    (endpoint, status, next_attempt_at, id) index gives the claim its order without a sort.
    """
    return (Delivery.objects.filter(status=DeliveryStatus.PENDING, is_test=False, next_attempt_at__lte=now)
            .filter(Q(call__isnull=True) | ~Exists(_earlier_open())))


def next_retry_at(*, endpoint_id: int, after: datetime, until: datetime) -> datetime | None:
    """When the endpoint's earliest pending delivery falls due, if that is after ``after`` and
    by ``until``; None otherwise."""
    return (Delivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING, is_test=False,
                                    next_attempt_at__gt=after, next_attempt_at__lte=until)
            .aggregate(at=Min("next_attempt_at"))["at"])


def endpoints_with_due(*, now: datetime) -> QuerySet:
    """Ids of the enabled endpoints that have something to send now: whose pumps to wake."""
    return (due(now=now).filter(endpoint__enabled=True).order_by("endpoint_id")
            .values_list("endpoint_id", flat=True).distinct())


@dataclass(slots=True)
class Claimed:
    """A delivery a claimer holds (SENDING): what sending and recording it need, no more."""
    pk: int
    endpoint_id: int
    call_id: int | None
    message_id: str
    method: str
    url: str
    headers: dict
    body: bytes
    attempt_count: int
    is_test: bool
    claimed_at: datetime
    status: str = DeliveryStatus.SENDING
    # For the attempt's log line and the receipt latency (hub/logs, hub/metrics).
    account_id: int | None = None
    pbx_id: int | None = None
    created_at: datetime | None = None


# The claim is ``due()`` in one statement, for the endpoint's free slots: an UPDATE of the
# oldest due rows that returns them. It runs right after the endpoint's row is locked, in the
# same transaction, so its count of SENDING rows sees every claim that committed before.
_CLAIM = """
UPDATE {delivery} SET status = '{sending}', claimed_at = %s
WHERE status = '{pending}' AND id IN (
    SELECT d.id FROM {delivery} d
    WHERE d.endpoint_id = %s AND d.status = '{pending}' AND d.is_test = %s AND d.next_attempt_at <= %s {only}
      AND (d.call_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM {delivery} e
          WHERE e.endpoint_id = d.endpoint_id AND e.call_id = d.call_id AND e.status IN ('{pending}', '{sending}')
            AND (e.sequence < d.sequence OR (e.sequence = d.sequence AND e.id < d.id))))
    ORDER BY d.next_attempt_at, d.id
    LIMIT {greatest}(0, {least}(%s, %s - (
        SELECT COUNT(*) FROM {delivery} s WHERE s.endpoint_id = %s AND s.status = '{sending}'))))
RETURNING id, endpoint_id, call_id, message_id, method, url, headers, body, attempt_count, is_test,
    account_id, created_at, (SELECT c.pbx_id FROM {event} c WHERE c.id = {delivery}.event_id)
"""


def _claim_sql(vendor: str, only: bool) -> str:
    greatest, least = ("GREATEST", "LEAST") if vendor == "postgresql" else ("MAX", "MIN")
    return _CLAIM.format(delivery=Delivery._meta.db_table, event=CatalogueEvent._meta.db_table,
                         greatest=greatest, least=least,
                         pending=DeliveryStatus.PENDING.value, sending=DeliveryStatus.SENDING.value,
                         only="AND d.id = %s" if only else "")


def _lock_endpoint(cursor, endpoint_id: int) -> int | None:
    """The endpoint's max_concurrency, its row locked to the end of the transaction; None if it
    is gone or disabled. (SQLite has no row locks: its writers take turns anyway.)

    NO KEY UPDATE, not UPDATE: claimers of the endpoint still take turns, but the foreign-key
    check of an ingest transaction inserting the endpoint's new deliveries (a KEY SHARE lock
    on this row) does not wait for the claim's commit."""
    lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
    cursor.execute(f"SELECT max_concurrency FROM {WebhookEndpoint._meta.db_table} WHERE id = %s AND enabled = %s{lock}",
                   [endpoint_id, True])
    row = cursor.fetchone()
    return None if row is None else max(row[0], 1)


def deliveries_claim(*, endpoint_id: int, now: datetime, limit: int | None = None,
                     delivery_id: int | None = None) -> list[Claimed]:
    """Up to the endpoint's free slots (and ``limit``) of its due deliveries, oldest first, now
    SENDING and the caller's; only ``delivery_id`` when given. Two statements; inside a caller's
    transaction (a pump records its last outcomes first) they add no savepoint."""
    claimed_at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        concurrency = _lock_endpoint(cursor, endpoint_id)
        if concurrency is None:
            return []
        params = [claimed_at, endpoint_id, False, claimed_at]
        if delivery_id is not None:
            params.append(delivery_id)
        cursor.execute(_claim_sql(connection.vendor, delivery_id is not None),
                       params + [concurrency if limit is None else limit, concurrency, endpoint_id])
        rows = cursor.fetchall()
    return sorted((Claimed(pk, endpoint, call, message_id, method, url,
                           json.loads(headers) if isinstance(headers, str) else headers, bytes(body),
                           attempts, bool(is_test), now, account_id=account, pbx_id=pbx,
                           created_at=_datetime(created_at))
                   for pk, endpoint, call, message_id, method, url, headers, body, attempts, is_test, account, created_at,
                   pbx in rows),
                  key=lambda claimed: claimed.pk)


# Claims for many endpoints in one statement (PostgreSQL): for each (endpoint, slots) pair, the
# oldest due rows up to the fewer of the slots and the endpoint's ceiling minus its SENDING rows
# (all processes'), by the same order rule as _CLAIM. The caller holds the endpoints' row locks.
_CLAIM_MANY = """
WITH wanted AS (SELECT * FROM unnest(%s::bigint[], %s::int[]) AS w(endpoint_id, slots)),
free AS (
    SELECT w.endpoint_id, GREATEST(0, LEAST(w.slots, e.max_concurrency - (
        SELECT COUNT(*) FROM {delivery} s WHERE s.endpoint_id = w.endpoint_id AND s.status = '{sending}'))) AS n
    FROM wanted w JOIN {endpoint} e ON e.id = w.endpoint_id AND e.enabled),
picked AS (
    SELECT d.id FROM free f CROSS JOIN LATERAL (
        SELECT d.id FROM {delivery} d
        WHERE d.endpoint_id = f.endpoint_id AND d.status = '{pending}' AND d.is_test = false
          AND d.next_attempt_at <= %s
          AND (d.call_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM {delivery} e
              WHERE e.endpoint_id = d.endpoint_id AND e.call_id = d.call_id AND e.status IN ('{pending}', '{sending}')
                AND (e.sequence < d.sequence OR (e.sequence = d.sequence AND e.id < d.id))))
        ORDER BY d.next_attempt_at, d.id
        LIMIT f.n) d
    WHERE f.n > 0)
UPDATE {delivery} SET status = '{sending}', claimed_at = %s
WHERE status = '{pending}' AND id IN (SELECT id FROM picked)
RETURNING id, endpoint_id, call_id, message_id, method, url, headers, body, attempt_count, is_test,
    account_id, created_at, (SELECT c.pbx_id FROM {event} c WHERE c.id = {delivery}.event_id)
"""


def deliveries_claim_many(*, slots: dict[int, int], now: datetime) -> dict[int, list[Claimed]]:
    """``deliveries_claim`` for many endpoints at once: up to ``slots[endpoint]`` of each one's
    due deliveries (and its free share of its ceiling), oldest first, per-call order kept; by
    endpoint, each list in id order. On PostgreSQL one statement, whose caller holds the
    endpoints' row locks in its transaction (the engine's round takes them first, in id order);
    elsewhere one claim per endpoint."""
    wanted = {endpoint_id: n for endpoint_id, n in slots.items() if n > 0}
    if not wanted:
        return {}
    if connection.vendor != "postgresql":
        return {endpoint_id: deliveries_claim(endpoint_id=endpoint_id, now=now, limit=n)
                for endpoint_id, n in sorted(wanted.items())}
    sql = _CLAIM_MANY.format(delivery=Delivery._meta.db_table, endpoint=WebhookEndpoint._meta.db_table,
                             event=CatalogueEvent._meta.db_table, pending=DeliveryStatus.PENDING.value,
                             sending=DeliveryStatus.SENDING.value)
    ids = sorted(wanted)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [ids, [wanted[i] for i in ids], now, now])
        rows = cursor.fetchall()
    claimed: dict[int, list[Claimed]] = {}
    for pk, endpoint, call, message_id, method, url, headers, body, attempts, is_test, account, created_at, pbx in rows:
        claimed.setdefault(endpoint, []).append(Claimed(
            pk, endpoint, call, message_id, method, url, json.loads(headers) if isinstance(headers, str) else headers,
            bytes(body), attempts, bool(is_test), now, account_id=account, pbx_id=pbx, created_at=_datetime(created_at)))
    for batch in claimed.values():
        batch.sort(key=lambda c: c.pk)
    return claimed


def _datetime(value) -> datetime | None:
    """A time column as the raw cursor returns it: an aware datetime on PostgreSQL; on SQLite UTC
    text, or a naive datetime when Django's sqlite3 converter for the column's type parsed it."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def delivery_claim(*, delivery_id: int, now: datetime) -> Claimed | None:
    """One delivery, now SENDING and ours; None when it is not ours to send (yet)."""
    endpoint_id = (Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
                   .values_list("endpoint_id", flat=True).first())
    if endpoint_id is None:
        return None
    claimed = deliveries_claim(endpoint_id=endpoint_id, now=now, limit=1, delivery_id=delivery_id)
    return claimed[0] if claimed else None
