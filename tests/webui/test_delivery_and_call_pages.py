"""Deliveries (filters, attempts, redeliver), call history (search, timeline) and click-to-call."""
from django.urls import reverse
from django.utils import timezone

from hub.models import Attempt, CatalogueEvent, ClickToCall, DeliveryStatus
from tests.webui.conftest import enable_click_to_call, make_call, make_delivery, make_endpoint


def test_deliveries_filter_by_endpoint_status_trigger_and_call(viewer, world):
    a = make_endpoint(world.account, url="https://a.example.com/h")
    b = make_endpoint(world.account, url="https://b.example.com/h")
    call = make_call(world.pbx, "callA")
    make_delivery(a, status=DeliveryStatus.FAILED, trigger="queue_call", call=call)
    make_delivery(b, status=DeliveryStatus.DELIVERED, trigger="user_inbound")
    url = reverse("webui:deliveries")
    assert viewer.get(url).content.decode().count('class="row-link mono"') == 2
    for params in ({"endpoint": a.pk}, {"status": "failed"}, {"trigger": "queue_call"}, {"call": "callA"}):
        page = viewer.get(url, params).content.decode()
        assert page.count('class="row-link mono"') == 1 and "a.example.com" in page, params
    assert "No deliveries match" in viewer.get(url, {"call": "nope"}).content.decode()


def test_a_delivery_shows_its_payload_and_every_attempt(viewer, world):
    delivery = make_delivery(make_endpoint(world.account))
    now = timezone.now()
    Attempt.objects.create(delivery=delivery, started_at=now, duration_ms=41, status_code=503, response_body='{"busy": true}',
                           request_headers={"X-Pbx-Token": "••••"})
    Attempt.objects.create(delivery=delivery, started_at=now, error_class="timeout", error_message="read timed out")
    page = viewer.get(reverse("webui:delivery", args=[delivery.pk])).content.decode()
    assert "HTTP 503" in page and "&quot;busy&quot;: true" in page and "41 ms" in page
    assert "timeout" in page and "read timed out" in page and "&quot;event&quot;: &quot;x&quot;" in page
    assert "Resend" not in page  # a viewer


def test_redeliver_puts_a_failed_delivery_back_in_the_queue(admin, world):
    delivery = make_delivery(make_endpoint(world.account))
    response = admin.post(reverse("webui:delivery-redeliver", args=[delivery.pk]), follow=True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and "Queued to be sent again" in response.content.decode()
    again = admin.post(reverse("webui:delivery-redeliver", args=[delivery.pk]), follow=True).content.decode()
    assert "still waiting to be sent: use Retry now" in again


def test_call_search_finds_by_number_and_call_id(viewer, world):
    make_call(world.pbx, "250301_1", caller_number="0399990000")
    make_call(world.pbx, "250301_2", caller_number="0411112222")
    url = reverse("webui:calls")
    assert "250301_1" in viewer.get(url, {"q": "9999"}).content.decode()
    assert "250301_1" not in viewer.get(url, {"q": "250301_2"}).content.decode()
    assert "No calls match" in viewer.get(url, {"q": "nothing-like-it"}).content.decode()
    assert "Enter a valid date." in viewer.get(url, {"day_from": "someday"}).content.decode()


def test_a_call_page_shows_its_timeline_and_deliveries(viewer, world):
    call = make_call(world.pbx, "250301_9")
    CatalogueEvent.objects.create(account=world.account, pbx=world.pbx, call=call, key="k1", trigger="user_inbound",
                                  occurred_at=call.call_start_at, payload={})
    make_delivery(make_endpoint(world.account), call=call, trigger="user_inbound")
    page = viewer.get(reverse("webui:call", args=["250301_9"])).content.decode()
    assert '<span class="tag">user_inbound</span>' in page and "Deliveries this call caused" in page
    assert page.count(f'href="/deliveries/') >= 1


def test_click_to_call_validates_and_places_the_call(admin, world, monkeypatch):
    monkeypatch.setattr("hub.services.click_to_call.enqueue", lambda *a, **k: None)
    enable_click_to_call(world.pbx, "101")
    url = reverse("webui:click-to-call")
    user_id = world.pbx.users.get(number="101").pk
    page = admin.post(url, {"user": user_id, "number": "12345"}).content.decode()
    assert "Expected an E.164 number" in page
    assert "Choose the user whose phone rings first." in admin.post(url, {"number": "+61355501234"}).content.decode()
    response = admin.post(url, {"user": user_id, "number": "+61355501234"})
    click = ClickToCall.objects.get(account=world.account)
    assert response.status_code == 302 and response.url == reverse("webui:click-to-call-detail", args=[click.pk])
    fragment = admin.get(response.url, {"fragment": "1"}).content.decode()
    assert fragment.startswith('<div id="c2c-status"') and 'data-status="queued"' in fragment and 'data-live-done=""' in fragment
    ClickToCall.objects.filter(pk=click.pk).update(status="failed", reason="user busy")
    settled = admin.get(response.url, {"fragment": "1"}).content.decode()
    assert 'data-live-done="1"' in settled and "user busy" in settled


def test_click_to_call_explains_when_it_is_not_set_up(admin):
    assert "Click-to-call is not set up" in admin.get(reverse("webui:click-to-call")).content.decode()


def test_click_to_call_offers_only_this_accounts_users(admin, world):
    enable_click_to_call(world.pbx, "101")
    enable_click_to_call(world.other_pbx, "909")
    page = admin.get(reverse("webui:click-to-call")).content.decode()
    assert "101 · User 101" in page and "909" not in page
    theirs = world.other_pbx.users.get().pk
    assert "Choose one of the listed users." in admin.post(reverse("webui:click-to-call"), {"user": theirs, "number": "+61355501234"}).content.decode()
