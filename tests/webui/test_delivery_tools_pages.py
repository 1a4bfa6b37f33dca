"""The console's delivery tools, health and audit log (issue 15, items 5, 9 and 10), page by page."""
import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from hub.models import Attempt, AuditEntry, ClickToCall, Delivery, DeliveryStatus, Membership
from hub.services.click_to_call import call_originate
from tests.webui.conftest import enable_click_to_call, make_call, make_delivery, make_endpoint
from tests.webui.receiver import receiver


def _rows(page: str) -> int:
    return page.count('class="row-link mono"')


def _zone(world) -> ZoneInfo:
    return ZoneInfo(world.pbx.timezone)  # every console page speaks its phone system's zone


def test_deliveries_filter_by_date_range_and_message_id(viewer, world):
    endpoint = make_endpoint(world.account)
    old, new = make_delivery(endpoint), make_delivery(endpoint, status=DeliveryStatus.DELIVERED)
    Delivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    url = reverse("webui:deliveries")
    today = timezone.localdate(timezone=_zone(world))
    assert _rows(viewer.get(url, {"since": str(today)}).content.decode()) == 1
    assert _rows(viewer.get(url, {"until": str(today - timedelta(days=5))}).content.decode()) == 1
    assert _rows(viewer.get(url, {"since": str(today - timedelta(days=11)), "until": str(today)}).content.decode()) == 2
    only = viewer.get(url, {"message_id": new.message_id}).content.decode()
    assert _rows(only) == 1 and f'href="/deliveries/{new.pk}/"' in only
    backwards = viewer.get(url, {"since": str(today), "until": str(today - timedelta(days=1))}).content.decode()
    assert "The end of the range is before its start." in backwards and _rows(backwards) == 2


def test_the_list_says_what_a_waiting_delivery_waits_for_and_when_it_is_next_tried(viewer, world):
    endpoint = make_endpoint(world.account)
    call = make_call(world.pbx, "call-wait")
    retry_at = timezone.now() + timedelta(minutes=7)
    first = make_delivery(endpoint, status=DeliveryStatus.PENDING, call=call)
    Delivery.objects.filter(pk=first.pk).update(attempt_count=2, next_attempt_at=retry_at, last_error="HTTP 503",
                                                sequence=1)
    second = make_delivery(endpoint, status=DeliveryStatus.PENDING, call=call)
    Delivery.objects.filter(pk=second.pk).update(sequence=2, next_attempt_at=timezone.now())
    page = viewer.get(reverse("webui:deliveries")).content.decode()
    assert 'data-wait="backoff"' in page and "backing off after 2 failed attempts; next try at" in page
    assert "; last: HTTP 503" in page
    assert 'data-wait="behind"' in page and f"(#{first.pk}, user_inbound: 2 failed attempts" in page
    assert page.count(timezone.localtime(retry_at, _zone(world)).strftime("%d %b %H:%M:%S")) >= 2  # both rows' next try
    detail = viewer.get(reverse("webui:delivery", args=[second.pk])).content.decode()
    assert "waits behind an earlier delivery of the same call" in detail and f'href="/deliveries/{first.pk}/"' in detail


def test_any_settled_delivery_can_be_resent_and_a_pending_one_retried_now(admin, world):
    endpoint = make_endpoint(world.account)
    delivered = make_delivery(endpoint, status=DeliveryStatus.DELIVERED)
    page = admin.get(reverse("webui:delivery", args=[delivered.pk])).content.decode()
    assert "Resend" in page and "Retry now" not in page
    response = admin.post(reverse("webui:delivery-redeliver", args=[delivered.pk]))
    assert response.status_code == 302 and response.url == reverse("webui:delivery", args=[delivered.pk])
    delivered.refresh_from_db()
    assert delivered.status == DeliveryStatus.PENDING and delivered.delivered_at is None
    Delivery.objects.filter(pk=delivered.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1), attempt_count=1)
    page = admin.get(reverse("webui:delivery", args=[delivered.pk])).content.decode()
    assert "Retry now" in page and "Resend" not in page
    followed = admin.post(reverse("webui:delivery-retry-now", args=[delivered.pk]), follow=True).content.decode()
    assert "Due now: a worker sends it within seconds." in followed
    delivered.refresh_from_db()
    assert delivered.next_attempt_at <= timezone.now()
    actions = list(AuditEntry.objects.filter(object_type="delivery").values_list("action", "actor"))
    assert actions == [("delivery.retried_now", "adam@acme.test"), ("delivery.resent", "adam@acme.test")]


def test_viewers_cannot_resend_or_retry(viewer, world):
    delivery = make_delivery(make_endpoint(world.account))
    assert viewer.post(reverse("webui:delivery-redeliver", args=[delivery.pk])).status_code == 403
    assert viewer.post(reverse("webui:delivery-retry-now", args=[delivery.pk])).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_an_attempt_shows_request_and_response_headers_and_bodies(viewer, world):
    delivery = make_delivery(make_endpoint(world.account))
    Attempt.objects.create(delivery=delivery, started_at=timezone.now(), duration_ms=12, status_code=429,
                           response_body='{"slow": "down"}', request_headers={"webhook-id": delivery.message_id},
                           response_headers={"Retry-After": "30", "X-Trace": "rq-77"})
    page = viewer.get(reverse("webui:delivery", args=[delivery.pk])).content.decode()
    for part in ("request-headers", "request-body", "response-headers", "response-body"):
        assert f'data-part="{part}"' in page
    assert f"webhook-id: {delivery.message_id}" in page and "&quot;event&quot;: &quot;x&quot;" in page
    assert "Retry-After: 30" in page and "X-Trace: rq-77" in page and "&quot;slow&quot;: &quot;down&quot;" in page


def test_a_test_request_sends_the_edited_payload_and_redirects_to_its_result(admin, world):
    with receiver(reply={"crm": "got it"}) as (url, seen):
        endpoint = make_endpoint(world.account, url=url)
        detail = admin.get(reverse("webui:webhook", args=[endpoint.pk])).content.decode()
        assert "&quot;unique_call_id&quot;" in detail and 'id="test-samples"' in detail  # seeded with the sample
        payload = {"unique_call_id": "edited-in-the-console", "user_number": "101"}
        response = admin.post(reverse("webui:webhook-test", args=[endpoint.pk]),
                              {"trigger": "user_inbound", "payload": json.dumps(payload)})
        test_id = Delivery.objects.get(endpoint=endpoint, is_test=True).pk
        assert response.status_code == 302 and response.url == reverse("webui:webhook", args=[endpoint.pk]) + "#test"
        page = admin.get(response.url).content.decode()
        again = admin.get(response.url).content.decode()
        assert len(seen) == 1 and 'id="test-result"' not in again  # a reload sends nothing, shows it no more
    assert "edited-in-the-console" in seen[0]["body"]
    assert "HTTP 200" in page and "got it" in page and "data-test-request" in page
    assert f'href="/deliveries/{test_id}/"' in page
    assert "edited-in-the-console" in page.split('id="test-result"')[1]  # the body sent, in the result
    assert "edited-in-the-console" in page.split("data-test-payload")[1].split("</textarea>")[0]  # kept in the form
    assert AuditEntry.objects.filter(action="webhook.test_sent", actor="adam@acme.test").exists()


def test_a_test_payload_that_is_not_a_json_object_is_refused_in_the_form(admin, world):
    endpoint = make_endpoint(world.account, url="http://127.0.0.1:9/never")
    for text, message in (("{not json", "This is not valid JSON"), ("[1, 2]", "must be a JSON object")):
        response = admin.post(reverse("webui:webhook-test", args=[endpoint.pk]), {"trigger": "user_inbound",
                                                                                   "payload": text}, follow=True)
        page = response.content.decode()
        assert message in page and text.replace('"', "&quot;") in page  # the box keeps what was typed
    assert not Delivery.objects.filter(endpoint=endpoint).exists()


def test_the_endpoint_page_shows_honest_health_and_the_verification_snippets(viewer, world):
    endpoint = make_endpoint(world.account)
    page = viewer.get(reverse("webui:webhook", args=[endpoint.pk])).content.decode()
    assert "no traffic yet" in page and ">healthy<" not in page
    for key, needle in (("python", "from standardwebhooks.webhooks import Webhook"),
                        ("node", 'import { Webhook } from &quot;standardwebhooks&quot;'),
                        ("php", "new Webhook(getenv(&#x27;WEBHOOK_SECRET&#x27;))"),
                        ("go", "standardwebhooks.NewWebhook(os.Getenv(&quot;WEBHOOK_SECRET&quot;))")):
        assert f'data-snippet="{key}"' in page and needle in page, key
    endpoint.consecutive_failures, endpoint.last_failure_at, endpoint.last_failure_reason = 4, timezone.now(), "HTTP 503"
    endpoint.save()
    delivery = make_delivery(endpoint, status=DeliveryStatus.PENDING)
    for _ in range(4):
        Attempt.objects.create(delivery=delivery, started_at=timezone.now(), status_code=503)
    page = viewer.get(reverse("webui:webhook", args=[endpoint.pk])).content.decode()
    assert ">failing<" in page and 'data-count="failed" class="error-text">4<' in page
    assert '<dd data-count="delivered">0</dd>' in page and f"?endpoint={endpoint.pk}&amp;status=pending\">1<" in page


def test_revealing_a_secret_and_placing_a_call_are_in_the_audit_log(admin, owner, world, monkeypatch):
    monkeypatch.setattr("hub.services.click_to_call.enqueue", lambda *a, **k: None)
    endpoint = make_endpoint(world.account)
    admin.post(reverse("webui:webhook-secret-reveal", args=[endpoint.pk]))
    enable_click_to_call(world.pbx, "101")
    admin.post(reverse("webui:click-to-call"), {"user": world.pbx.users.get().pk, "number": "+61355501234"})
    call_originate(account=world.account, pbx=world.pbx, user_number="101", number_to_call="+61355501235",
                   api_key=world.account.api_keys.create(name="crm", prefix="abc123", key_hash="x"))
    entries = AuditEntry.objects.filter(account=world.account)
    assert entries.filter(action="webhook.secret_revealed", actor="adam@acme.test", object_id=str(endpoint.pk)).exists()
    clicks = list(entries.filter(action="click_to_call.placed").order_by("id").values_list("actor", "summary"))
    assert [actor for actor, _ in clicks] == ["adam@acme.test", "API key abc123…"]
    assert "+61355501234" in clicks[0][1] and ClickToCall.objects.count() == 2


def test_the_audit_log_shows_before_and_after_and_filters_by_action_actor_and_date(owner, admin, world):
    endpoint = make_endpoint(world.account, url="https://crm.example.com/old")
    admin.post(reverse("webui:webhook-edit", args=[endpoint.pk]), {
        "url": "https://crm.example.com/new", "dialect": "json", "triggers": ["user_inbound"], "timeout_seconds": "10",
        "enabled": "on"})
    url = reverse("webui:audit")
    page = owner.get(url, {"action": "webhook.updated"}).content.decode()
    assert page.count('<tr data-audit="') == 1
    row = page.split('<tr data-audit="webhook.updated"')[1].split("</tr>\n")[0]
    changes = row.split("data-changes")[1]
    assert "<th scope=\"row\" class=\"mono\">url</th><td data-before>https://crm.example.com/old</td>" \
           "<td data-after>https://crm.example.com/new</td>" in changes
    assert "timeout_seconds" not in changes and "triggers" not in changes  # unchanged fields are left out
    created = owner.get(url, {"action": "webhook.created"}).content.decode().split("data-changes")[1].split("</table>")[0]
    assert ">url<" in created and ">secret_token<" not in created and ">filters<" not in created  # unset: not shown
    when = timezone.localtime(AuditEntry.objects.get(action="webhook.updated").created_at, _zone(world))
    shown = re.search(r"<time[^>]*>([^<]*)</time>", row).group(1)
    assert shown == when.strftime("%a %-d %b %Y, %H:%M:%S")  # no ISO string, no microseconds
    assert owner.get(url, {"actor": "adam@"}).content.decode().count('<tr data-audit="') == 1
    assert owner.get(url, {"actor": "test"}).content.decode().count('<tr data-audit="webhook.created"') == 1
    today = timezone.localdate(timezone=_zone(world))
    assert owner.get(url, {"since": str(today), "until": str(today)}).content.decode().count('<tr data-audit="') == 2
    assert "Nothing recorded that matches" in owner.get(url, {"until": str(today - timedelta(days=1))}).content.decode()


def test_team_changes_are_in_the_audit_log_with_before_and_after(owner, world):
    vera = Membership.objects.get(account=world.account, user=world.viewer)
    owner.post(reverse("webui:team-role", args=[vera.pk]), {"role": "admin"})
    page = owner.get(reverse("webui:audit"), {"kind": "member"}).content.decode()
    row = page.split('<tr data-audit="member.role_changed"')[1].split("</tr>\n")[0]
    assert "<td data-before>viewer</td><td data-after>admin</td>" in row and "olivia@acme.test" in row
