"""What the dashboard shows: traffic per hour, endpoint health, ingest progress per PBX."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from hub.models import Account, Call, Delivery, DeliveryStatus, IngestSource, Pbx, WebhookEndpoint

RANGES = {"24h": 24, "7d": 24 * 7}
# What the chart calls pending: everything not yet settled.
DELIVERY_BUCKETS = {"delivered": [DeliveryStatus.DELIVERED], "failed": [DeliveryStatus.FAILED],
                    "pending": [DeliveryStatus.PENDING, DeliveryStatus.SENDING]}


def hour_slots(*, hours: int, now: datetime | None = None) -> list[datetime]:
    end = (now or timezone.now()).astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)
    return [end - timedelta(hours=h) for h in range(hours - 1, -1, -1)]


def _per_hour(queryset, field: str, slots: list[datetime], *, group: str | None = None) -> dict:
    rows = (queryset.filter(**{f"{field}__gte": slots[0]})
            .annotate(hour=TruncHour(field, tzinfo=dt_timezone.utc))
            .values("hour", *([group] if group else [])).annotate(n=Count("id")))
    out: dict = {}
    for row in rows:
        hour = row["hour"].astimezone(dt_timezone.utc) if row["hour"] else None
        out[(hour, row.get(group))] = out.get((hour, row.get(group)), 0) + row["n"]
    return out


def calls_per_hour(*, account: Account, slots: list[datetime]) -> list[int]:
    counts = _per_hour(Call.objects.filter(account=account), "call_start_at", slots)
    return [counts.get((slot, None), 0) for slot in slots]


def deliveries_per_hour(*, account: Account, slots: list[datetime]) -> dict[str, list[int]]:
    counts = _per_hour(Delivery.objects.filter(account=account, is_test=False), "created_at", slots, group="status")
    return {name: [sum(counts.get((slot, s), 0) for s in statuses) for slot in slots]
            for name, statuses in DELIVERY_BUCKETS.items()}


@dataclass
class EndpointHealth:
    """An endpoint's state and its attempt counts since ``since``, read from the attempt log
    (test requests left out, as the engine leaves them out of health)."""
    endpoint: WebhookEndpoint
    delivered: int  # successful attempts (each is one delivered delivery)
    failed: int  # failed attempts, retried or not
    pending: int  # deliveries waiting now, whatever their age

    @property
    def state(self) -> str:
        e = self.endpoint
        if not e.enabled:
            return "disabled"
        if e.last_success_at is None and e.last_failure_at is None:
            return "no_traffic"  # nothing but tests sent yet: no ground for "healthy"
        return "failing" if e.consecutive_failures else "healthy"

    @property
    def success_rate(self) -> int | None:
        tried = self.delivered + self.failed
        return None if not tried else round(100 * self.delivered / tried)


def endpoint_health(*, account: Account, since: datetime, endpoint_id: int | None = None) -> list[EndpointHealth]:
    endpoints = WebhookEndpoint.objects.filter(account=account)
    if endpoint_id is not None:
        endpoints = endpoints.filter(pk=endpoint_id)
    tried = Q(deliveries__is_test=False, deliveries__attempts__started_at__gte=since)
    ok = Q(deliveries__attempts__status_code__gte=200, deliveries__attempts__status_code__lt=300)
    counted = endpoints.values("id").annotate(n_ok=Count("deliveries__attempts", filter=tried & ok),
                                              n_failed=Count("deliveries__attempts", filter=tried & ~ok))
    attempts = {row["id"]: row for row in counted}
    waiting = dict(Delivery.objects.filter(account=account, endpoint__in=endpoints, is_test=False,
                                           status__in=DELIVERY_BUCKETS["pending"])
                   .values("endpoint_id").annotate(n=Count("id")).values_list("endpoint_id", "n"))
    return [EndpointHealth(e, attempts[e.pk]["n_ok"], attempts[e.pk]["n_failed"], waiting.get(e.pk, 0))
            for e in endpoints.order_by("created_at", "id")]


@dataclass
class SourceStatus:
    source: IngestSource
    now: datetime

    @property
    def lag_seconds(self) -> int | None:
        """How far behind the newest record read was when it was read."""
        s = self.source
        if not (s.last_read_at and s.last_record_at):
            return None
        return max(0, int((s.last_read_at - s.last_record_at).total_seconds()))

    @property
    def idle_seconds(self) -> int | None:
        return None if not self.source.last_read_at else int((self.now - self.source.last_read_at).total_seconds())

    @property
    def skipped(self) -> list[tuple[str, int]]:
        return sorted((self.source.skipped or {}).items(), key=lambda kv: -kv[1])

    @property
    def skipped_total(self) -> int:
        return sum((self.source.skipped or {}).values())

    @property
    def state(self) -> str:
        s = self.source
        if not s.enabled:
            return "disabled"
        if s.last_error:
            return "error"
        return "healthy" if s.last_read_at else "pending"


def ingest_status(*, account: Account) -> dict:
    """{pbx: [SourceStatus, …]} for every PBX of the account (push-only ones with []), sources in kind order."""
    now = timezone.now()
    grouped: dict = {pbx: [] for pbx in Pbx.objects.filter(account=account)}
    for source in IngestSource.objects.filter(pbx__account=account).select_related("pbx").order_by("pbx", "kind", "id"):
        grouped.setdefault(source.pbx, []).append(SourceStatus(source, now))
    return grouped


def totals(*, account: Account, since: datetime) -> dict:
    deliveries = Delivery.objects.filter(account=account, is_test=False, created_at__gte=since)
    by_status = dict(deliveries.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "calls": Call.objects.filter(account=account, call_start_at__gte=since).count(),
        "in_progress": Call.objects.filter(account=account, state="in_progress").count(),
        "delivered": by_status.get(DeliveryStatus.DELIVERED, 0),
        "failed": by_status.get(DeliveryStatus.FAILED, 0),
        "pending": by_status.get(DeliveryStatus.PENDING, 0) + by_status.get(DeliveryStatus.SENDING, 0),
    }
