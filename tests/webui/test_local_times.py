"""Every time in the console is the phone system's local time, said once per page; a time typed
into a form is read in that zone too."""
from datetime import datetime, timezone as dt_timezone

from django.urls import reverse

from hub.models import Delivery, DeliveryStatus, Role
from tests.factories import make_account, make_member
from tests.webui.conftest import make_call, make_delivery, make_endpoint, signed_in

# 03:06:45 on Monday 7 December in Melbourne (summer time, +11:00) is 16:06:45 UTC the day before.
INSTANT = datetime(2026, 12, 6, 16, 6, 45, tzinfo=dt_timezone.utc)
ZONE_NOTE = "Times are in Australia/Melbourne."


def test_a_call_shows_its_pbx_local_time_in_the_list_and_on_its_page(viewer, world):
    make_call(world.pbx, "261207030645_1", call_start_at=INSTANT, last_event_at=INSTANT, connected_at=INSTANT)
    listing = viewer.get(reverse("webui:calls")).content.decode()
    assert "07 Dec 03:06:45" in listing and "16:06:45" not in listing
    assert listing.count(ZONE_NOTE) == 1
    detail = viewer.get(reverse("webui:call", args=["261207030645_1"])).content.decode()
    assert "Mon 07 Dec 2026 03:06:45" in detail and "16:06:45" not in detail
    assert detail.count(ZONE_NOTE) == 1 and "(Australia/Melbourne)" not in detail


def test_delivery_times_are_in_the_pbx_zone(viewer, world):
    delivery = make_delivery(make_endpoint(world.account))
    Delivery.objects.filter(pk=delivery.pk).update(created_at=INSTANT)
    listing = viewer.get(reverse("webui:deliveries")).content.decode()
    assert "07 Dec 03:06:45" in listing and listing.count(ZONE_NOTE) == 1
    detail = viewer.get(reverse("webui:delivery", args=[delivery.pk])).content.decode()
    assert "07 Dec 2026 03:06:45" in detail


def test_a_fixed_offset_zone_is_named_as_an_offset(db):
    account, pbx, _ = make_account("kolkata", timezone="+05:30")
    client = signed_in(make_member(account, "ravi@kolkata.test", Role.VIEWER))
    make_call(pbx, "c1", call_start_at=INSTANT, last_event_at=INSTANT)
    page = client.get(reverse("webui:calls")).content.decode()
    assert "06 Dec 21:36:45" in page and "Times are in UTC+05:30." in page


def test_recover_reads_the_time_typed_in_the_pbx_zone(admin, world):
    endpoint = make_endpoint(world.account)
    failed = make_delivery(endpoint, status=DeliveryStatus.FAILED)
    Delivery.objects.filter(pk=failed.pk).update(created_at=INSTANT)  # 03:06:45 in Melbourne
    url = reverse("webui:webhook-recover", args=[endpoint.pk])
    # 03:10 Melbourne is after it: nothing to recover (read as UTC, 03:10 would be long after too).
    admin.post(url, {"since": "2026-12-07T03:10"})
    assert Delivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED
    # 03:00 Melbourne is before it; read as UTC it would be eleven hours after it.
    page = admin.post(url, {"since": "2026-12-07T03:00"}, follow=True).content.decode()
    assert Delivery.objects.get(pk=failed.pk).status == DeliveryStatus.PENDING
    assert "1 failed delivery sent again." in page
