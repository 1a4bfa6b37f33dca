"""PostgreSQL: deliveries and attempts in weekly partitions; the migration keeps every row, and
the purge drops whole weeks every account is done with."""
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hub.models import Attempt, Delivery, DeliveryStatus
from hub.services import partitions
from hub.services.delivery import deliveries_create, webhook_endpoint_create
from hub.services.partitions import partition_create, week_start
from hub.services.retention import retention_purge, retention_update
from tests.factories import make_account
from tests.schema_migrations import latest_schema_afterwards, migrate  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")]

BEFORE = [("hub", "0016_retention_policy")]
DAY = timedelta(days=1)


def _tables_rows():
    with connection.cursor() as cursor:
        rows = {}
        for table in ("hub_delivery", "hub_attempt"):
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            rows[table] = cursor.fetchall()
        return rows


def _partitioned(table):
    with connection.cursor() as cursor:
        return partitions.is_partitioned(cursor, table)


def _weeks(table):
    with connection.cursor() as cursor:
        return [name for name, _ in partitions.partitions(cursor, table)]


def _old_data(pbx, apps, ages):
    """Deliveries (and two attempts each) created ``ages`` ago, through the models of ``apps``."""
    Delivery_, Attempt_ = apps.get_model("hub", "Delivery"), apps.get_model("hub", "Attempt")
    Endpoint = apps.get_model("hub", "WebhookEndpoint")
    endpoint = Endpoint.objects.create(account_id=pbx.account_id, url="http://127.0.0.1:9/h", triggers=["user_inbound"])
    now = timezone.now()
    for i, age in enumerate(ages):
        delivery = Delivery_.objects.create(account_id=pbx.account_id, endpoint=endpoint, trigger="user_inbound",
                                            message_id=f"msg_{i}", url=endpoint.url, body=b"{\"n\": %d}" % i,
                                            status="delivered" if i % 3 else "pending")
        Delivery_.objects.filter(pk=delivery.pk).update(created_at=now - age)
        for minute in range(2):
            Attempt_.objects.create(delivery=delivery, started_at=now - age + timedelta(minutes=minute), status_code=200,
                                    request_headers={"n": i})


def test_the_migration_keeps_every_row_and_id_and_goes_back():
    account, pbx, _ = make_account()
    apps = migrate(BEFORE)
    assert not _partitioned("hub_delivery")
    _old_data(pbx, apps, [400 * DAY, 90 * DAY, 40 * DAY, 10 * DAY, DAY, timedelta(minutes=5)])
    before = _tables_rows()

    migrate()  # the upgrade

    assert _partitioned("hub_delivery") and _partitioned("hub_attempt")
    assert _tables_rows() == before
    weeks = _weeks("hub_delivery")
    # Weeks from the oldest row's to this one and the ones made ahead, and the default.
    assert weeks[0] == "hub_delivery_default" and len(weeks) >= 1 + 400 // 7
    assert partitions.partition_name("hub_delivery", week_start(timezone.now() + 28 * DAY)) in weeks
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hub_delivery_default")
        assert cursor.fetchone()[0] == 0
    # New rows take ids after the old ones, as before.
    endpoint, _ = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/x", triggers=["user_inbound"],
                                          actor="t")
    new = Delivery.objects.create(account=account, endpoint=endpoint, trigger="t", message_id="msg_new", url="http://x")
    assert new.pk > max(row[0] for row in before["hub_delivery"])
    new.delete()

    migrate(BEFORE)  # and back
    assert not _partitioned("hub_delivery") and not _partitioned("hub_attempt")
    assert _tables_rows() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT contype FROM pg_constraint WHERE conname = 'hub_delivery_message_id_key'")
        assert cursor.fetchone() == ("u",)  # unique again


def test_a_week_every_account_is_done_with_is_dropped_whole(pbx, settings):
    settings.RETENTION_DELIVERIES_DAYS = 30
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 30
    account = pbx.account
    endpoint, _ = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/h", triggers=["user_inbound"],
                                          actor="t")
    short, short_pbx, _ = make_account("globex")
    retention_update(account=short, actor="t", deliveries_days=7, attempts_days=7)
    short_endpoint, _ = webhook_endpoint_create(account=short, url="http://127.0.0.1:9/h", triggers=["user_inbound"],
                                                actor="t")
    now = timezone.now()
    with connection.cursor() as cursor:
        for weeks_ago in range(1, 9):
            partition_create(cursor, "hub_delivery", "created_at", now - weeks_ago * 7 * DAY)
            partition_create(cursor, "hub_attempt", "started_at", now - weeks_ago * 7 * DAY)

    def delivery(endpoint, age, status=DeliveryStatus.DELIVERED):
        row = Delivery.objects.create(account_id=endpoint.account_id, endpoint=endpoint, trigger="t", url="http://x",
                                      message_id=f"msg_{endpoint.pk}_{age.days}_{status}", status=status)
        Delivery.objects.filter(pk=row.pk).update(created_at=now - age)
        Attempt.objects.create(delivery=row, started_at=now - age + timedelta(minutes=1))
        return row

    old_week = delivery(endpoint, 50 * DAY)  # past everyone's 30 days: its week goes whole
    pending_week = delivery(endpoint, 43 * DAY, DeliveryStatus.PENDING)  # its week stays while it is pending
    done_beside_pending = delivery(short_endpoint, 43 * DAY)
    kept = delivery(endpoint, 10 * DAY)  # the 30-day account's
    short_old = delivery(short_endpoint, 10 * DAY)  # the 7-day account's: deleted as a row
    recent = delivery(short_endpoint, 2 * DAY)
    old_week_name = partitions.partition_name("hub_delivery", week_start(now - 50 * DAY))
    pending_week_name = partitions.partition_name("hub_delivery", week_start(now - 43 * DAY))

    result = retention_purge(now=now)

    assert old_week_name in result.partitions_dropped and old_week_name not in _weeks("hub_delivery")
    assert pending_week_name in _weeks("hub_delivery")
    assert set(Delivery.objects.values_list("pk", flat=True)) == {pending_week.pk, kept.pk, recent.pk}
    assert not Delivery.objects.filter(pk__in=[old_week.pk, done_beside_pending.pk, short_old.pk]).exists()
    assert set(Attempt.objects.values_list("delivery_id", flat=True)) == {kept.pk, recent.pk}  # pending's: 30 days
    assert result.deleted["deliveries"] == 3
    # Weeks are made ahead, and a row no week takes lands in the default until its week is made.
    assert partitions.partition_name("hub_delivery", week_start(now + 28 * DAY)) in _weeks("hub_delivery")
    far = delivery(endpoint, -200 * DAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM hub_delivery_default")
        assert cursor.fetchall() == [(far.pk,)]
        name = partition_create(cursor, "hub_delivery", "created_at", now + 200 * DAY)
        cursor.execute(f"SELECT id FROM {name}")
        assert cursor.fetchall() == [(far.pk,)]

    # Once the pending delivery is final, its week goes whole too.
    Delivery.objects.filter(pk=pending_week.pk).update(status=DeliveryStatus.FAILED)
    assert pending_week_name in retention_purge(now=now).partitions_dropped
    assert not Delivery.objects.filter(pk=pending_week.pk).exists()


def test_final_rows_of_a_week_held_by_a_pending_delivery_and_of_the_default_go_as_rows(pbx, settings):
    settings.RETENTION_DELIVERIES_DAYS = 30
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 30
    endpoint, _ = webhook_endpoint_create(account=pbx.account, url="http://127.0.0.1:9/h", triggers=["user_inbound"],
                                          actor="t")
    now = timezone.now()
    with connection.cursor() as cursor:
        partition_create(cursor, "hub_delivery", "created_at", now - 60 * DAY)
        cursor.execute("SELECT count(*) FROM hub_delivery_default")
        assert cursor.fetchone()[0] == 0
    made = {}
    for name, age, status in (("held", 60, "pending"), ("beside", 60, "delivered"), ("stray", 300, "delivered"),
                              ("stray_pending", 300, "pending"), ("young", 20, "delivered")):
        row = Delivery.objects.create(account=pbx.account, endpoint=endpoint, trigger="t", url="http://x",
                                      message_id=f"msg_{name}", status=status)
        Delivery.objects.filter(pk=row.pk).update(created_at=now - age * DAY)
        Attempt.objects.create(delivery=row, started_at=now - DAY)  # a recent attempt: its week is kept
        made[name] = row.pk
    result = retention_purge(now=now)
    assert set(Delivery.objects.values_list("pk", flat=True)) == {made["held"], made["stray_pending"], made["young"]}
    assert set(Attempt.objects.values_list("delivery_id", flat=True)) == {made["held"], made["stray_pending"],
                                                                        made["young"]}
    assert result.deleted["deliveries"] == 2 and result.deleted["attempts"] == 2


def test_deliveries_flow_through_partitioned_tables(pbx):
    from tests.delivery_engine.engine import make_event
    webhook_endpoint_create(account=pbx.account, url="http://127.0.0.1:9/h", triggers=["user_inbound"], actor="t")
    assert _partitioned("hub_delivery")
    with connection.cursor():
        pass
    created = deliveries_create(events=[make_event(pbx)])
    assert created == 1
    week = partitions.partition_name("hub_delivery", week_start(timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {week}")
        assert cursor.fetchone()[0] == 1
