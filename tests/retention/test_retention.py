"""Retention: per-account days with defaults from settings, the batch purge, the console page."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.errors import InvalidInput
from hub.models import (Attempt, AuditEntry, Call, CatalogueEvent, Delivery, DeliveryStatus, Role, StoredPbxEvent,
                        UserLeg)
from hub.services.delivery import attempts_prune, deliveries_create, webhook_endpoint_create
from hub.services.retention import retention_days, retention_purge, retention_update
from tests.factories import make_account, make_member

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _call(pbx, uid: str, age: timedelta) -> Call:
    at = timezone.now() - age
    call = Call.objects.create(account=pbx.account, pbx=pbx, unique_call_id=uid, pbx_call_id=uid, direction="inbound",
                               call_start_at=at, last_event_at=at, state="ended")
    UserLeg.objects.create(account=pbx.account, pbx=pbx, call=call, call_start_at=at, user="101", status="answered")
    return call


def _pbx_event(pbx, key: str, age: timedelta) -> StoredPbxEvent:
    event = StoredPbxEvent.objects.create(pbx=pbx, source="push", kind="call.started", occurred_at=timezone.now(),
                                          dedupe_key=key)
    StoredPbxEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - age)
    return event


def _event(pbx, key: str, age: timedelta, call=None) -> CatalogueEvent:
    event = CatalogueEvent.objects.create(account=pbx.account, pbx=pbx, call=call, key=key, trigger="user_inbound",
                                          occurred_at=timezone.now(), payload={"call_id": key})
    CatalogueEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)
    return event


def _deliveries(event, age: timedelta, status: str, attempts: int = 1) -> list[Delivery]:
    deliveries_create(events=[event])
    rows = list(Delivery.objects.filter(event=event))
    Delivery.objects.filter(event=event).update(created_at=timezone.now() - age, status=status)
    for row in rows:
        Attempt.objects.bulk_create([Attempt(delivery=row, started_at=timezone.now() - age + timedelta(minutes=i))
                                     for i in range(attempts)])
    return rows


@pytest.fixture
def endpoint(account):
    endpoint, _ = webhook_endpoint_create(account=account, url="http://127.0.0.1:9/hook", triggers=["user_inbound"],
                                          actor="test")
    return endpoint


def test_defaults_come_from_settings_and_the_attempt_setting_still_counts(account, settings):
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 12
    settings.RETENTION_DELIVERIES_DAYS = 20
    days = retention_days(account=account)
    assert days["attempts"] == 12 and days["deliveries"] == 20
    assert days["calls"] == settings.RETENTION_CALLS_DAYS == 730


def test_purge_deletes_what_is_past_its_time_and_keeps_the_rest(pbx, endpoint):
    old, new = 40 * DAY, 5 * DAY
    old_call, new_call = _call(pbx, "old-call", 800 * DAY), _call(pbx, "new-call", old)
    for i in range(3):  # in the order they arrived: ids grow with received_at
        _pbx_event(pbx, f"old{i}", old)
    for i in range(3):
        _pbx_event(pbx, f"new{i}", new)
    delivered = _deliveries(_event(pbx, "e-old-delivered", old), old, DeliveryStatus.DELIVERED, attempts=2)
    failed = _deliveries(_event(pbx, "e-old-failed", old), old, DeliveryStatus.FAILED)
    pending = _deliveries(_event(pbx, "e-old-pending", old), old, DeliveryStatus.PENDING)
    sending = _deliveries(_event(pbx, "e-old-sending", old), old, DeliveryStatus.SENDING)
    fresh = _deliveries(_event(pbx, "e-new", new, call=new_call), new, DeliveryStatus.DELIVERED)

    result = retention_purge(batch_size=2)

    assert result.finished
    assert set(StoredPbxEvent.objects.values_list("dedupe_key", flat=True)) == {"new0", "new1", "new2"}
    assert set(CatalogueEvent.objects.values_list("key", flat=True)) == {"e-new"}
    # A delivery still pending (or being sent) stays, whatever its age: an admin can still act on it.
    assert set(Delivery.objects.values_list("pk", flat=True)) == {d.pk for d in pending + sending + fresh}
    assert not Attempt.objects.filter(delivery__in=delivered + failed).exists()
    # Its attempts are the attempt log's: past their own retention they go.
    assert not Attempt.objects.filter(delivery__in=pending).exists()
    assert Attempt.objects.filter(delivery__in=fresh).count() == 1
    assert set(Call.objects.values_list("unique_call_id", flat=True)) == {"new-call"}
    assert not UserLeg.objects.filter(call_id=old_call.pk).exists()
    # Attempts: 3 with their deliveries, 2 of the pending ones; legs went with their call.
    assert result.deleted == {"pbx_events": 3, "catalogue_events": 4, "deliveries": 2, "attempts": 5, "calls": 1}
    assert retention_purge().deleted == dict.fromkeys(result.deleted, 0)  # nothing more


def test_each_account_keeps_its_records_for_its_own_time(pbx, endpoint):
    other, other_pbx, _ = make_account("globex")
    webhook_endpoint_create(account=other, url="http://127.0.0.1:9/hook", triggers=["user_inbound"], actor="test")
    retention_update(account=pbx.account, actor="owner@acme.test", deliveries_days=7, attempts_days=7,
                     catalogue_events_days=7, pbx_events_days=7)
    for p in (pbx, other_pbx):
        _pbx_event(p, "ten-days", 10 * DAY)
        _deliveries(_event(p, f"{p.slug}-ten-days", 10 * DAY), 10 * DAY, DeliveryStatus.DELIVERED)

    result = retention_purge()

    assert result.deleted["deliveries"] == 1 and result.deleted["pbx_events"] == 1
    assert set(Delivery.objects.values_list("account_id", flat=True)) == {other.pk}
    assert set(CatalogueEvent.objects.values_list("account_id", flat=True)) == {other.pk}
    assert set(StoredPbxEvent.objects.values_list("pbx_id", flat=True)) == {other_pbx.pk}
    assert set(Attempt.objects.values_list("delivery__account_id", flat=True)) == {other.pk}


def test_purge_goes_in_bounded_batches_and_stops_at_its_time_budget(pbx):
    for i in range(7):
        _pbx_event(pbx, f"old{i}", 40 * DAY)
    assert retention_purge(seconds=0).finished is False  # budget spent: nothing done, the next run goes on
    assert StoredPbxEvent.objects.count() == 7
    with CaptureQueriesContext(connection) as queries:
        assert retention_purge(batch_size=3).deleted["pbx_events"] == 7
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE") and "pbxevent" in q["sql"].lower()]
    assert len(deletes) == 3  # 3 + 3 + 1


def test_raw_events_boundary_is_exact_around_the_cutoff(pbx):
    # Ages from 45 days to 15 days, one a day: those older than 30 days go, the rest stay.
    for age in range(45, 14, -1):
        _pbx_event(pbx, f"age{age}", age * DAY + timedelta(minutes=1))
    retention_purge()
    ages = sorted(int(k[3:]) for k in StoredPbxEvent.objects.values_list("dedupe_key", flat=True))
    assert ages == list(range(15, 30))


def test_attempts_prune_keeps_reading_webhook_attempt_retention_days(pbx, endpoint, settings):
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 3
    [delivery] = _deliveries(_event(pbx, "e", DAY), DAY, DeliveryStatus.DELIVERED)
    Attempt.objects.bulk_create([Attempt(delivery=delivery, started_at=timezone.now() - 4 * DAY) for _ in range(4)])
    assert attempts_prune(batch_size=3) == 4
    assert Attempt.objects.filter(delivery=delivery).count() == 1


def test_update_is_validated_and_audited(account):
    with pytest.raises(InvalidInput) as error:
        retention_update(account=account, actor="o", attempts_days=60, deliveries_days=30)
    assert error.value.field == "attempts_days"
    with pytest.raises(InvalidInput) as error:
        retention_update(account=account, actor="o", calls_days=10)
    assert error.value.field == "calls_days"
    with pytest.raises(InvalidInput):
        retention_update(account=account, actor="o", deliveries_days=0)
    assert not AuditEntry.objects.filter(action="account.retention_updated").exists()

    assert retention_update(account=account, actor="olivia@acme.test", deliveries_days=60, calls_days=1000) == [
        "deliveries_days", "calls_days"]
    assert retention_update(account=account, actor="olivia@acme.test", deliveries_days=60) == []
    retention_update(account=account, actor="olivia@acme.test", calls_days=None)
    entries = list(AuditEntry.objects.filter(action="account.retention_updated").order_by("id"))
    assert len(entries) == 2
    assert entries[0].changes == {"deliveries_days": [None, 60], "calls_days": [None, 1000]}
    assert "deliveries (with their payloads) default (30 days) → 60 days" in entries[0].summary
    assert entries[1].changes == {"calls_days": [1000, None]} and entries[1].actor == "olivia@acme.test"
    assert retention_days(account=account)["calls"] == 730


def test_console_shows_how_long_each_kind_is_kept_and_an_admin_changes_it(client, account):
    viewer = make_member(account, "val@acme.test", Role.VIEWER)
    client.force_login(viewer)
    url = reverse("webui:retention")
    page = client.get(url).content.decode()
    for label in ("Raw PBX events", "Catalogue events", "Deliveries (with their payloads)", "Delivery attempts",
                  "Calls and their legs (call history)"):
        assert label in page
    assert "730 days" in page and "30 days" in page and "retention-form" not in page
    assert client.post(url, {"deliveries_days": "5"}).status_code == 403

    client.force_login(make_member(account, "ada@acme.test", Role.ADMIN))
    answer = client.post(url, {"deliveries_days": "90", "attempts_days": "", "calls_days": ""})
    assert answer.status_code == 302
    assert retention_days(account=account)["deliveries"] == 90
    entry = AuditEntry.objects.get(action="account.retention_updated")
    assert entry.actor == "ada@acme.test" and entry.changes == {"deliveries_days": [None, 90]}
    page = client.get(url).content.decode()
    assert "90 days" in page and "this account (the hub’s default is 30)" in page
    answer = client.post(url, {"attempts_days": "100"})
    assert answer.status_code == 200 and "cannot be kept longer than their deliveries" in answer.content.decode()


def test_only_deliveries_point_at_catalogue_events(pbx, endpoint):
    # The purge deletes catalogue events without Django's collector, unlinking their deliveries
    # itself: that is only what delete() would do while Delivery.event is all that points at them.
    pointing = [(f.related_model._meta.label, f.on_delete.__name__)
                for f in CatalogueEvent._meta.related_objects]
    assert pointing == [("hub.Delivery", "SET_NULL")]
    [delivery] = _deliveries(_event(pbx, "gone", 40 * DAY), DAY, DeliveryStatus.DELIVERED)
    assert retention_purge().deleted["catalogue_events"] == 1
    delivery.refresh_from_db()
    assert delivery.event_id is None


def test_a_call_whose_recording_audio_is_still_stored_waits_for_the_recordings_retention(pbx):
    from hub.models import Recording, RecordingState
    kept, gone = _call(pbx, "with-audio", 800 * DAY), _call(pbx, "audio-purged", 800 * DAY)
    at = timezone.now() - 800 * DAY
    Recording.objects.create(call=kept, file="a.wav", recorded_at=at, state=RecordingState.STORED, storage_key="k/a")
    Recording.objects.create(call=gone, file="b.wav", recorded_at=at, state=RecordingState.PURGED)
    assert retention_purge().deleted["calls"] == 1
    assert set(Call.objects.values_list("unique_call_id", flat=True)) == {"with-audio"}


def test_recording_audio_retention_is_shown_and_an_owner_changes_it_through_the_console(account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(account, "olivia@acme.test", Role.OWNER))
    url = reverse("webui:retention")
    page = client.get(url).content.decode()
    row = re.search(r'<tr data-kind="recordings">.*?</tr>', page, re.S).group(0)
    assert "Recording audio" in row and "90 days" in row and "the hub’s default" in row
    assert "the call’s metadata are kept as long as the call’s retention says" in page
    assert 'name="recordings_days"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {"recordings_days": "30"}).status_code == 403  # no token: refused
    account.refresh_from_db()
    assert account.recording_retention_days == 90

    answer = client.post(url, {"csrfmiddlewaretoken": token, "recordings_days": "30"})
    assert answer.status_code == 302
    account.refresh_from_db()
    assert account.recording_retention_days == 30
    assert retention_days(account=account)["calls"] == 730  # the call history keeps its own time
    entry = AuditEntry.objects.get(action="account.retention_updated")
    assert entry.actor == "olivia@acme.test" and entry.changes == {"recordings_days": [90, 30]}
    assert "recording audio 90 days → 30 days" in entry.summary
    row = re.search(r'<tr data-kind="recordings">.*?</tr>', client.get(url).content.decode(), re.S).group(0)
    assert "30 days" in row and "this account (the hub’s default is 90)" in row

    for bad in ("0", "-5", "ten"):
        answer = client.post(url, {"csrfmiddlewaretoken": token, "recordings_days": bad})
        assert answer.status_code == 200
        assert list(answer.context["form"].errors) == ["recordings_days"]
    account.refresh_from_db()
    assert account.recording_retention_days == 30
    assert AuditEntry.objects.filter(action="account.retention_updated").count() == 1

    # Blank puts the hub's default back (audited), and the other kinds are untouched.
    assert client.post(url, {"csrfmiddlewaretoken": token, "recordings_days": ""}).status_code == 302
    account.refresh_from_db()
    assert account.recording_retention_days == 90
    last = AuditEntry.objects.filter(action="account.retention_updated").latest("id")
    assert last.changes == {"recordings_days": [30, 90]}


def test_recording_retention_update_names_the_field_it_refuses(account):
    for bad in (0, -1, "x", 36501):
        with pytest.raises(InvalidInput) as error:
            retention_update(account=account, actor="o", recordings_days=bad)
        assert error.value.field == "recordings_days"
    account.refresh_from_db()
    assert account.recording_retention_days == 90
    assert not AuditEntry.objects.filter(action="account.retention_updated").exists()
    assert retention_update(account=account, actor="o", recordings_days=14, deliveries_days=60) == [
        "recordings_days", "deliveries_days"]
    account.refresh_from_db()
    assert account.recording_retention_days == 14 and retention_days(account=account)["deliveries"] == 60
    assert AuditEntry.objects.get(action="account.retention_updated").changes == {
        "recordings_days": [90, 14], "deliveries_days": [None, 60]}
