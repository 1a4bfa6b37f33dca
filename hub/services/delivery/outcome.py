"""After sends: the attempt log rows, the deliveries' next states, the endpoint's health.

Outcomes are recorded a batch at a time (whatever a pump's sends finished together): one
insert for the attempts, one update per group of deliveries that end the same way, and one or
two for the endpoint's health, all in one transaction.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from hub.logs.lines import attempt_logged, endpoint_disabled_logged
from hub.metrics.guard import never_raises
from hub.metrics.record import attempt_record, delivery_outcome_record, endpoint_disabled_record
from hub.models import Attempt, Delivery, DeliveryStatus, RetryPolicy, WebhookEndpoint
from hub.services.audit import audit_record
from hub.services.delivery.claim import Claimed
from hub.services.delivery.config import retry_schedule
from integrations.delivery import Outcome, SendResult, classify, next_delay


@dataclass(frozen=True)
class Decision:
    status: str
    next_attempt_at: datetime | None = None
    disable_endpoint: bool = False


@dataclass(frozen=True)
class Sent:
    """One finished attempt of a claimed delivery (a Claimed, or a test request's Delivery)."""
    delivery: Claimed | Delivery
    result: SendResult
    started_at: datetime


def failure_reason(result: SendResult) -> str:
    if result.status_code is not None:
        return f"HTTP {result.status_code}"
    return f"{result.error_class}: {result.error_message}"[:1000]


def decide(result: SendResult, *, attempt_number: int, now: datetime, is_test: bool) -> Decision:
    outcome = classify(result)
    if outcome == Outcome.DELIVERED:
        return Decision(DeliveryStatus.DELIVERED)
    if outcome == Outcome.RETRY and not is_test:
        delay = next_delay(attempt_number + 1, schedule=retry_schedule(), now=now,
                           retry_after=result.response_headers.get("Retry-After"))
        if delay is not None:
            return Decision(DeliveryStatus.PENDING, now + delay)
    return Decision(DeliveryStatus.FAILED, disable_endpoint=outcome == Outcome.DISABLE_ENDPOINT and not is_test)


_ATTEMPT_COLUMNS = ("delivery_id, started_at, duration_ms, status_code, response_body, error_class, error_message, "
                    "resolved_ip, request_headers, response_headers")
_INSERT_ATTEMPT = (f"INSERT INTO {Attempt._meta.db_table} ({_ATTEMPT_COLUMNS}) "
                   "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
_COPY_ATTEMPTS = f"COPY {Attempt._meta.db_table} ({_ATTEMPT_COLUMNS}) FROM STDIN"


_COPY_FROM_ROWS = 8


def _text(value: str) -> str:
    return value.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL; a receiver may send it


def _attempts_insert(cursor, sent: list[Sent]) -> None:
    """One statement for the batch, the hot path's biggest write: COPY on PostgreSQL (psycopg
    dumps the rows in C), executemany elsewhere and for a few rows (a COPY costs two round
    trips; steady traffic records a response or two per round)."""
    postgres = connection.vendor == "postgresql"
    adapt = (lambda value: value) if postgres else connection.ops.adapt_datetimefield_value
    rows = [(s.delivery.pk, adapt(s.started_at), s.result.duration_ms, s.result.status_code,
             _text(s.result.response_body), s.result.error_class or "", _text(s.result.error_message),
             s.result.resolved_ip, json.dumps(dict(s.result.request_headers_masked)),
             json.dumps(dict(s.result.response_headers)))
            for s in sent]
    if postgres and len(rows) >= _COPY_FROM_ROWS:
        with connection.wrap_database_errors, cursor.cursor.copy(_COPY_ATTEMPTS) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(_INSERT_ATTEMPT, rows)


def endpoint_disable(*, endpoint_id: int, reason: str, now: datetime, cause: str) -> bool:
    """``cause``: gone or failing, the metrics' reason label (``reason`` is the operator's text)."""
    disabled = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).update(
        enabled=False, disabled_at=now, disabled_reason=reason) == 1
    if disabled:
        endpoint_disabled_record(reason=cause)
        endpoint_disabled_logged(endpoint_id=endpoint_id, reason=reason)
        # The hub changed the account's endpoint on its own: the owners see it in the audit log.
        audit_record(account_id=WebhookEndpoint.objects.values_list("account_id", flat=True).get(pk=endpoint_id),
                     actor="system", action="webhook.disabled", object_type="webhook", object_id=str(endpoint_id),
                     summary=f"the hub disabled the endpoint: {reason}", changes={"enabled": [True, False]})
    return disabled


def _deliveries_move(batch: list[tuple[Sent, Decision]], now: datetime) -> list[tuple[Sent, Decision]]:
    """Move each delivery to its decision (its own status, next attempt, error and delivery
    time) in one statement; returns the ones that were still ours.

    A delivery is ours while it is SENDING under our claim time: the sweeper may have taken a
    claim back from a worker it thought dead, and then only the attempt is logged and the
    delivery is left as the sweeper set it. One ``UPDATE … FROM (VALUES …) RETURNING`` for the
    round's successes and failures alike: a dead endpoint's timeouts come back a batch at a
    time, and an ORM update each was worker time the healthy endpoints' pumps waited for.
    """
    if not batch:
        return []
    # The VALUES columns are column1… on both databases; PostgreSQL must be told the type of
    # a time column that may hold only NULLs.
    at = "CAST(%s AS timestamp with time zone)" if connection.vendor == "postgresql" else "%s"
    adapt, table = connection.ops.adapt_datetimefield_value, connection.ops.quote_name(Delivery._meta.db_table)
    params = []
    for sent, decision in batch:
        delivered = decision.status == DeliveryStatus.DELIVERED
        params += [sent.delivery.pk, DeliveryStatus(decision.status).value, adapt(decision.next_attempt_at),
                   "" if delivered else failure_reason(sent.result), adapt(sent.delivery.claimed_at),
                   adapt(now) if delivered else None]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = v.column2, attempt_count = attempt_count + 1, next_attempt_at = v.column3, "
            "claimed_at = NULL, last_error = v.column4, delivered_at = v.column6 "
            f"FROM (VALUES {', '.join([f'(%s, %s, {at}, %s, {at}, {at})'] * len(batch))}) AS v "
            f"WHERE {table}.id = v.column1 AND {table}.status = %s AND {table}.claimed_at = v.column5 "
            f"RETURNING {table}.id",
            [*params, DeliveryStatus.SENDING.value])
        ours = {pk for pk, in cursor.fetchall()}
    return [(sent, decision) for sent, decision in batch if sent.delivery.pk in ours]


def _endpoint_set(endpoint_id: int, fields: dict, *, more_failures: int = 0) -> None:
    """``UPDATE`` the endpoint's health columns (``fields``, and the failure streak grown by
    ``more_failures``) as a plain statement: it runs in every pump round, where building it
    through the ORM cost more than the rest of the round's Python."""
    if not fields and not more_failures:
        return
    qn, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    sets = [f"{qn(name)} = %s" for name in fields]
    params = [adapt(value) if isinstance(value, datetime) else value for value in fields.values()]
    if more_failures:
        sets.append(f"{qn('consecutive_failures')} = {qn('consecutive_failures')} + %s")
        params.append(more_failures)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(WebhookEndpoint._meta.db_table)} SET {', '.join(sets)} WHERE id = %s",
                       [*params, endpoint_id])


def _endpoints_succeeded(endpoint_ids: list[int], now: datetime) -> None:
    """What ``_health_record`` writes for an endpoint whose answers all succeeded, for many."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(WebhookEndpoint._meta.db_table)} SET {qn('last_success_at')} = %s, "
                       f"{qn('consecutive_failures')} = 0, {qn('failing_since')} = NULL "
                       f"WHERE id IN ({', '.join(['%s'] * len(endpoint_ids))})",
                       [connection.ops.adapt_datetimefield_value(now), *endpoint_ids])


def _health_record(endpoint_id: int, outcomes: list[tuple[Sent, Decision]], now: datetime) -> None:
    """Outcomes in the order they finished: the last success resets the failure streak."""
    successes = [i for i, (_, d) in enumerate(outcomes) if d.status == DeliveryStatus.DELIVERED]
    failures = [(s, d) for s, d in outcomes if d.status != DeliveryStatus.DELIVERED]
    streak = outcomes[successes[-1] + 1:] if successes else outcomes
    fields: dict = {}
    if failures:
        fields.update(last_failure_at=now, last_failure_reason=failure_reason(failures[-1][0].result))
    if successes:
        fields.update(last_success_at=now, consecutive_failures=len(streak),
                      failing_since=now if streak else None)
    _endpoint_set(endpoint_id, fields, more_failures=0 if successes else len(streak))
    if streak and not successes:
        WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(failing_since=now)
        limit = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
        if WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__lte=limit).exists():
            endpoint_disable(endpoint_id=endpoint_id, now=now, cause="failing",
                             reason=f"failing since more than {settings.WEBHOOK_DISABLE_AFTER_DAYS} days "
                                    f"({failure_reason(streak[-1][0].result)})")
    gone = [s for s, d in outcomes if d.disable_endpoint]
    if gone:
        endpoint_disable(endpoint_id=endpoint_id, now=now, cause="gone",
                         reason=f"the receiver answered 410 Gone ({gone[-1].delivery.url})")


_OUTCOMES = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.FAILED: "failed", DeliveryStatus.PENDING: "retry"}


@never_raises
def _observe(sent: list[Sent], decisions: list[Decision], moved: list[tuple[Sent, Decision]]) -> None:
    """Metrics and a log line per attempt, once committed. An operator's test request is logged
    but not counted; a delivery the sweeper took back meanwhile counts its attempt, not an outcome."""
    ours = {id(s) for s, _ in moved}
    for s, decision in zip(sent, decisions):
        delivery, result = s.delivery, s.result
        outcome = _OUTCOMES[decision.status] if id(s) in ours else "taken_back"
        attempt_logged(delivery=delivery, result=result, outcome=outcome)
        if delivery.is_test:
            continue
        attempt_record(endpoint_id=delivery.endpoint_id, duration_seconds=result.duration_ms / 1000)
        if id(s) in ours:
            created_at = getattr(delivery, "created_at", None)
            receipt = None
            if outcome == "delivered" and created_at is not None:
                receipt = (s.started_at - created_at).total_seconds() + result.duration_ms / 1000
            delivery_outcome_record(endpoint_id=delivery.endpoint_id, outcome=outcome, receipt_seconds=receipt)


def _without_retries(sent: list[Sent], decisions: list[Decision]) -> list[Decision]:
    """A retry an endpoint with retry_policy "none" would get is a failure instead (seed 000
    posts each event once). Asked only when a retry is on the table: deliveries that went
    through cost no query."""
    retrying = {s.delivery.endpoint_id for s, d in zip(sent, decisions) if d.status == DeliveryStatus.PENDING}
    if not retrying:
        return decisions
    once = set(WebhookEndpoint.objects.filter(pk__in=retrying, retry_policy=RetryPolicy.NONE)
               .values_list("pk", flat=True))
    return [Decision(DeliveryStatus.FAILED) if d.status == DeliveryStatus.PENDING and s.delivery.endpoint_id in once
            else d for s, d in zip(sent, decisions)]


def outcomes_record(*, sent: list[Sent], now: datetime) -> list[Decision]:
    """Log every attempt and move each delivery on, if it is still ours; one transaction (or
    part of the caller's: a pump claims its next batch in the same one)."""
    decisions = [decide(s.result, attempt_number=s.delivery.attempt_count + 1, now=now, is_test=s.delivery.is_test)
                 for s in sent]
    decisions = _without_retries(sent, decisions)
    if not sent:
        return decisions
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            _attempts_insert(cursor, sent)
        moved = _deliveries_move(list(zip(sent, decisions)), now)
        by_endpoint = defaultdict(list)
        for item in moved:
            if not item[0].delivery.is_test:  # a test request never counts toward health
                by_endpoint[item[0].delivery.endpoint_id].append(item)
        order = {id(s): i for i, s in enumerate(sent)}
        # Endpoints whose every answer here was a success (the common case) share one statement:
        # a batch of many endpoints' answers (the engine's rounds) would otherwise cost one each.
        healthy = sorted(endpoint_id for endpoint_id, outcomes in by_endpoint.items()
                         if all(d.status == DeliveryStatus.DELIVERED for _, d in outcomes))
        if len(healthy) > 1:
            _endpoints_succeeded(healthy, now)
        for endpoint_id, outcomes in by_endpoint.items():
            if len(healthy) > 1 and endpoint_id in healthy:
                continue
            _health_record(endpoint_id, sorted(outcomes, key=lambda item: order[id(item[0])]), now)
    _observe(sent, decisions, moved)
    for s, decision in moved:
        s.delivery.attempt_count += 1
        s.delivery.status, s.delivery.claimed_at = decision.status, None
    return decisions


def outcome_record(*, delivery: Delivery, result: SendResult, started_at: datetime, now: datetime) -> Decision:
    return outcomes_record(sent=[Sent(delivery, result, started_at)], now=now)[0]
