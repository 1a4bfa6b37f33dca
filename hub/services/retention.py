"""How long an account's records are kept, and the purge that keeps the database bounded.

    retention_days(account=…)                 {kind: days} in force for the account
    retention_update(account=…, actor=…, …)   change an account's retention (audited)
    retention_purge(now=…)                    beat: roll partitions, then delete what is past its time

Kinds: raw PBX events (by ``received_at``), catalogue events (``created_at``), deliveries with
their payloads (``created_at``; only once final: delivered or failed), attempts (``started_at``)
and calls with their legs (``call_start_at``). Defaults come from settings (RETENTION_*, and
WEBHOOK_ATTEMPT_RETENTION_DAYS for attempts); an account's RetentionPolicy overrides any of them.

Deletes go in batches of RETENTION_PURGE_BATCH rows, a statement each (so no table is locked
for long), until the run's time budget (RETENTION_PURGE_SECONDS) is spent; the next run goes on.
On PostgreSQL deliveries and attempts are partitioned by week (hub/services/partitions.py): a
week every account is done with is dropped whole first, and only the rows of accounts that keep
them for less time than the longest retention in use are deleted row by row. docs/retention.md.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from hub.errors import InvalidInput
from hub.models import (Account, Attempt, AuditEntry, Call, CatalogueEvent, Delivery, DeliveryStatus, RecordingState,
                        RetentionPolicy, StoredPbxEvent)
from hub.services.audit import changes_between

log = logging.getLogger(__name__)

KINDS = ("pbx_events", "catalogue_events", "deliveries", "attempts", "calls")
LABELS = {
    "pbx_events": "raw PBX events", "catalogue_events": "catalogue events",
    "deliveries": "deliveries (with their payloads)", "attempts": "delivery attempts",
    "calls": "calls and their legs (call history)",
}
MIN_DAYS, MAX_DAYS = 1, 36500
# Recording audio: kept per account in Account.recording_retention_days (always a number; its
# model default is the hub's default), purged by hub.recordings_purge, not by retention_purge.
# The recording's row and the call's metadata follow the calls' retention.
RECORDINGS_FIELD = "recordings_days"
RECORDINGS_LABEL = "recording audio"
FINAL = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def default_days() -> dict[str, int]:
    return {"pbx_events": settings.RETENTION_PBX_EVENTS_DAYS,
            "catalogue_events": settings.RETENTION_CATALOGUE_EVENTS_DAYS,
            "deliveries": settings.RETENTION_DELIVERIES_DAYS,
            "attempts": settings.WEBHOOK_ATTEMPT_RETENTION_DAYS,
            "calls": settings.RETENTION_CALLS_DAYS}


def recordings_default_days() -> int:
    return Account._meta.get_field("recording_retention_days").default


def _effective(policy: RetentionPolicy | None, defaults: dict[str, int]) -> dict[str, int]:
    return {kind: (getattr(policy, f"{kind}_days", None) or defaults[kind]) for kind in KINDS}


def retention_days(*, account: Account) -> dict[str, int]:
    """Days each kind of record of ``account`` is kept."""
    return _effective(RetentionPolicy.objects.filter(account=account).first(), default_days())


def retention_overrides(*, account: Account) -> dict[str, int | None]:
    """The account's own values (None: the hub's default)."""
    policy = RetentionPolicy.objects.filter(account=account).first()
    return {kind: getattr(policy, f"{kind}_days", None) if policy else None for kind in KINDS}


def _check_order(days: dict[str, int]) -> None:
    # Attempts are shown with their delivery; a purged call takes its catalogue events (and its
    # raw events' link) with it, so the call history outlives what hangs off it.
    if days["attempts"] > days["deliveries"]:
        raise InvalidInput("attempts_days", f"attempts cannot be kept longer than their deliveries ({days['deliveries']} days)")
    longest = max(days["pbx_events"], days["catalogue_events"], days["deliveries"])
    if days["calls"] < longest:
        raise InvalidInput("calls_days", f"calls must be kept at least as long as their events and deliveries ({longest} days)")


@transaction.atomic
def retention_update(*, account: Account, actor: str, user=None, **fields: Any) -> list[str]:
    """Set the account's retention: ``<kind>_days`` = a number of days, or None/"" for the hub's
    default; ``recordings_days`` = days recording audio is kept (Account.recording_retention_days;
    None/"" puts the hub's default, 90, back). Raises InvalidInput naming the field; audits the change as ``account.retention_updated``.
    Returns the names of the fields that changed."""
    names = {f"{kind}_days" for kind in KINDS} | {RECORDINGS_FIELD}
    unknown = set(fields) - names
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a retention setting")
    # One change at a time per account; the locked row's recording days are the current ones.
    locked = Account.objects.select_for_update().filter(pk=account.pk).first()
    policy = RetentionPolicy.objects.filter(account=account).first() or RetentionPolicy(account=account)
    values: dict[str, int | None] = {}
    for name, value in fields.items():
        if value in (None, ""):
            # Recording audio has no "unset": blank puts the hub's default back.
            values[name] = recordings_default_days() if name == RECORDINGS_FIELD else None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(name, "must be a whole number of days") from None
        if not MIN_DAYS <= number <= MAX_DAYS:
            raise InvalidInput(name, f"must be between {MIN_DAYS} and {MAX_DAYS} days")
        values[name] = number
    current = {name: getattr(policy, name) for name in values if name != RECORDINGS_FIELD}
    if RECORDINGS_FIELD in values:
        current[RECORDINGS_FIELD] = locked.recording_retention_days
    changed = [name for name, value in values.items() if current[name] != value]
    if not changed:
        return []
    before = {name: current[name] for name in changed}
    policy_changed = [name for name in changed if name != RECORDINGS_FIELD]
    if policy_changed:
        for name in policy_changed:
            setattr(policy, name, values[name])
        _check_order(_effective(policy, default_days()))
        policy.save()
    if RECORDINGS_FIELD in changed:
        Account.objects.filter(pk=account.pk).update(recording_retention_days=values[RECORDINGS_FIELD])
        account.recording_retention_days = values[RECORDINGS_FIELD]
    defaults = default_days()

    def label(name: str) -> str:
        return RECORDINGS_LABEL if name == RECORDINGS_FIELD else LABELS[name[:-5]]

    def shown(name: str, value: int | None) -> str:
        return f"{value} days" if value is not None else f"default ({defaults[name[:-5]]} days)"

    AuditEntry.objects.create(
        account=account, user=user, actor=actor or "system", action="account.retention_updated",
        object_type="account", object_id=str(account.pk),
        summary="changed how long records are kept: " + ", ".join(
            f"{label(name)} {shown(name, before[name])} → {shown(name, values[name])}" for name in changed),
        changes=changes_between(before, {name: values[name] for name in changed}))
    return changed


# --- the purge -------------------------------------------------------------------------------

@dataclass
class PurgeResult:
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    partitions_dropped: list[str] = field(default_factory=list)
    partitions_created: list[str] = field(default_factory=list)
    finished: bool = True  # False: the time budget ran out with rows left for the next run


def accounts_by_days() -> dict[str, dict[int, list[int]]]:
    """{kind: {days: [account ids]}}: accounts grouped by the retention in force, so a purge
    runs one query per distinct value (nearly always one: the default) rather than per account."""
    defaults = default_days()
    policies = {p.account_id: p for p in RetentionPolicy.objects.all()}
    grouped: dict[str, dict[int, list[int]]] = {kind: defaultdict(list) for kind in KINDS}
    for account_id in Account.objects.values_list("pk", flat=True).order_by("pk"):
        for kind, days in _effective(policies.get(account_id), defaults).items():
            grouped[kind][days].append(account_id)
    return grouped


class _Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.deadline


def _id_boundary(model: type[models.Model], column: str, cutoff: datetime) -> int | None:
    """The highest id whose ``column`` is before ``cutoff``, found by bisecting the primary key
    (ids grow with time in an append table): a few index lookups instead of scanning a column
    that has no index of its own (raw PBX events' received_at: an index would cost every ingest
    insert). Rows a little out of order are left for a later run; the time filter stays exact."""
    qs = model.objects.order_by("pk")
    first = qs.values_list("pk", column).first()
    if first is None or first[1] >= cutoff:
        return None
    low, high = first[0], qs.values_list("pk", flat=True).last()
    while low < high:
        middle = (low + high + 1) // 2
        row = qs.filter(pk__gte=middle).values_list("pk", column).first()
        if row[1] < cutoff:
            low = max(middle, row[0])
        else:
            high = middle - 1
    return low


_KIND_OF_LABEL = {"hub.StoredPbxEvent": "pbx_events", "hub.CatalogueEvent": "catalogue_events",
                  "hub.Delivery": "deliveries", "hub.Attempt": "attempts", "hub.Call": "calls"}


def _catalogue_events_delete(ids: list[int]) -> dict[str, int]:
    """What Django's delete() of these events does (their deliveries keep going without them:
    Delivery.event is SET_NULL, and nothing else points at an event), in two statements: its
    collector would first load every event, payload and all, to learn that."""
    Delivery.objects.filter(event_id__in=ids).update(event=None)
    return {CatalogueEvent._meta.label: CatalogueEvent.objects.filter(pk__in=ids)._raw_delete(CatalogueEvent.objects.db)}


def _delete_batches(model: type[models.Model], qs: models.QuerySet, *, batch: int, budget: _Budget,
                    counts: dict[str, int]) -> bool:
    """Delete ``qs``'s rows ``batch`` at a time, oldest ids first, adding what went (with what
    went along: a delivery's attempts, a call's events) to ``counts``; True when all are gone."""
    while not budget.spent:
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return True
        with transaction.atomic():
            if model is CatalogueEvent:
                deleted = _catalogue_events_delete(ids)
            else:
                deleted = model.objects.filter(pk__in=ids).delete()[1]
        for label, number in deleted.items():
            if label in _KIND_OF_LABEL:
                counts[_KIND_OF_LABEL[label]] += number
        if len(ids) < batch:
            return True
    return False


def _kind_queryset(kind: str, account_ids: list[int], cutoff: datetime) -> tuple[type, Any]:
    """The rows of ``kind`` of these accounts that are past ``cutoff``."""
    if kind == "pbx_events":
        model, column = StoredPbxEvent, "received_at"
        qs = StoredPbxEvent.objects.filter(pbx__account_id__in=account_ids, received_at__lt=cutoff)
        boundary = _id_boundary(StoredPbxEvent, column, cutoff)
        qs = qs.filter(pk__lte=boundary) if boundary is not None else qs.none()
    elif kind == "catalogue_events":
        model, column = CatalogueEvent, "created_at"
        qs = CatalogueEvent.objects.filter(account_id__in=account_ids, created_at__lt=cutoff)
    elif kind == "deliveries":
        model, column = Delivery, "created_at"
        qs = Delivery.objects.filter(account_id__in=account_ids, created_at__lt=cutoff, status__in=FINAL)
    elif kind == "attempts":
        model, column = Attempt, "started_at"
        qs = Attempt.objects.filter(delivery__account_id__in=account_ids, started_at__lt=cutoff)
    else:
        model, column = Call, "call_start_at"
        # A call whose recording's audio is still stored waits for the recordings' own retention
        # (hub.services.recordings.retention) to delete it: deleting the call here would drop the
        # recording's row and leave its audio in the storage, found by nothing.
        qs = (Call.objects.filter(account_id__in=account_ids, call_start_at__lt=cutoff)
              .exclude(recordings__state=RecordingState.STORED))
    return model, qs


def kind_purge(kind: str, *, now: datetime, groups: dict[int, list[int]], budget: _Budget, batch: int,
               counts: dict[str, int]) -> bool:
    """Delete the rows of ``kind`` past each account group's retention; True when none is left."""
    finished = True
    for days, account_ids in sorted(groups.items()):
        if budget.spent:
            return False
        model, qs = _kind_queryset(kind, account_ids, now - timedelta(days=days))
        finished = _delete_batches(model, qs, batch=batch, budget=budget, counts=counts) and finished
    return finished


def retention_purge(*, now: datetime | None = None, batch_size: int | None = None, seconds: float | None = None,
                    kinds: tuple[str, ...] = KINDS) -> PurgeResult:
    """One run of the retention purge (beat, every RETENTION_PURGE_INTERVAL_SECONDS)."""
    now = now or timezone.now()
    batch = batch_size or settings.RETENTION_PURGE_BATCH
    budget = _Budget(settings.RETENTION_PURGE_SECONDS if seconds is None else seconds)
    result = PurgeResult()
    groups = accounts_by_days()
    from hub.services import partitions
    if partitions.enabled():
        longest = {kind: max(groups[kind], default=0) for kind in KINDS}
        roll = partitions.partitions_roll(now=now, longest=longest, batch=batch, deadline=budget.deadline)
        result.partitions_created, result.partitions_dropped = roll.created, roll.dropped
        for kind, number in roll.deleted.items():
            result.deleted[kind] += number
        # The accounts on the longest retention are the drops' (a week at a time); only those
        # keeping a partitioned kind for less are deleted row by row.
        groups = {kind: {days: ids for days, ids in by_days.items()
                         if kind not in partitions.PARTITIONED_KINDS or days < longest[kind]}
                  for kind, by_days in groups.items()}
    # Deliveries before attempts (a delivery's delete takes its attempts along); calls last, when
    # what hangs off them is gone.
    for kind in ("deliveries", "attempts", "catalogue_events", "pbx_events", "calls"):
        if kind not in kinds:
            continue
        if not groups[kind]:
            continue
        done = kind_purge(kind, now=now, groups=groups[kind], budget=budget, batch=batch, counts=result.deleted)
        result.finished = result.finished and done
    if any(result.deleted.values()) or result.partitions_dropped:
        log.info("retention purge: deleted %s; partitions dropped %s, created %s%s",
                 {k: v for k, v in result.deleted.items() if v}, result.partitions_dropped or "none",
                 result.partitions_created or "none", "" if result.finished else "; more left for the next run")
    return result


def retention_table_rows() -> dict[str, int]:
    """Rows per kind (the bench's and tests' view of what the purge keeps)."""
    return {"pbx_events": StoredPbxEvent.objects.count(), "catalogue_events": CatalogueEvent.objects.count(),
            "deliveries": Delivery.objects.count(), "attempts": Attempt.objects.count(), "calls": Call.objects.count()}


__all__ = ["KINDS", "LABELS", "RECORDINGS_FIELD", "RECORDINGS_LABEL", "recordings_default_days", "PurgeResult", "accounts_by_days", "default_days", "retention_days",
           "retention_overrides", "retention_purge", "retention_update"]
