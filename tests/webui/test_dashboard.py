"""The dashboard: traffic charts, endpoint health and ingest status."""
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from hub.models import DeliveryStatus
from tests.webui.conftest import make_call, make_delivery, make_endpoint, make_source


def test_charts_count_calls_and_deliveries_per_hour(viewer, world):
    now = timezone.now()
    make_call(world.pbx, "c1", call_start_at=now)
    make_call(world.pbx, "c2", call_start_at=now - timedelta(hours=3))
    make_call(world.pbx, "old", call_start_at=now - timedelta(days=3))
    endpoint = make_endpoint(world.account)
    for status in (DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.PENDING):
        make_delivery(endpoint, status=status)
    page = viewer.get(reverse("webui:dashboard")).content.decode()
    assert page.count('class="bar-calls"') == 2
    assert page.count('class="bar-delivered"') == 1 and ": 2 delivered</title>" in page
    assert page.count('class="bar-failed"') == 1 and page.count('class="bar-pending"') == 1
    week = viewer.get(reverse("webui:dashboard"), {"range": "7d"}).content.decode()
    assert week.count('class="bar-calls"') == 3


def test_endpoint_health_and_ingest_status_are_shown(viewer, world):
    endpoint = make_endpoint(world.account, url="https://crm.example.com/a")
    endpoint.consecutive_failures = 3
    endpoint.save()
    now = timezone.now()
    make_source(world.pbx, last_read_at=now, last_record_at=now - timedelta(seconds=95), lines_read=1200,
                skipped={"unknown_line": 7, "malformed": 2})
    page = viewer.get(reverse("webui:dashboard")).content.decode()
    assert "https://crm.example.com/a" in page and "3 failures in a row" in page
    assert "1m 35s" in page  # lag
    assert "unknown_line: 7" in page and "malformed: 2" in page
    assert world.pbx.slug in page


def test_an_empty_account_gets_helpful_empty_states(admin, world):
    page = admin.get(reverse("webui:dashboard")).content.decode()
    assert "No webhook endpoints yet" in page and "sends pushes only" in page
