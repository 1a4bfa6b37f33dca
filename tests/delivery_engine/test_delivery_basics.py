"""A catalogue event becomes a frozen delivery that reaches a real receiver, token and signature on."""
import json

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from hub.models import Attempt, Delivery, DeliveryStatus, SigningSecret, WebhookComponent
from hub.services.delivery import webhook_endpoint_create
from tests.delivery_engine.engine import emit, run_due

pytestmark = pytest.mark.django_db


def _endpoint(account, url, **fields):
    fields.setdefault("triggers", ["user_inbound"])
    return webhook_endpoint_create(account=account, url=url, actor="test", **fields)


def test_event_is_delivered_with_token_and_a_verifiable_signature(account, pbx, receiver):
    endpoint, secret = _endpoint(account, receiver.url + "/hook", secret_token="s3cret-token-value")
    [delivery] = emit(pbx, "user_inbound", caller_id="0400111222")

    assert run_due() == [DeliveryStatus.DELIVERED]

    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/hook"
    assert request.header("X-Pbx-Token") == "s3cret-token-value"
    assert request.header("webhook-id") == delivery.message_id and delivery.message_id.startswith("msg_")
    assert json.loads(request.verify(secret))["caller_id"] == "0400111222"
    assert json.loads(request.body)["type"] == "user_inbound"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempt_count == 1
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.consecutive_failures == 0


def test_secrets_are_never_stored_in_the_delivery_and_masked_in_the_attempt_log(account, pbx, receiver):
    _endpoint(account, receiver.url, secret_token="s3cret-token-value", headers={"X-Tenant": "acme"})
    [delivery] = emit(pbx)
    run_due()
    delivery.refresh_from_db()
    assert "X-Pbx-Token" not in delivery.headers and delivery.headers["X-Tenant"] == "acme"
    logged = Attempt.objects.get(delivery=delivery).request_headers
    assert "s3cret-token-value" not in json.dumps(logged)
    assert logged["X-Tenant"] == "acme" and logged["webhook-id"] == delivery.message_id
    assert receiver.requests[0].header("X-Tenant") == "acme"


def test_a_wrong_secret_does_not_verify(account, pbx, receiver):
    _endpoint(account, receiver.url)
    emit(pbx)
    run_due()
    with pytest.raises(WebhookVerificationError):
        receiver.requests[0].verify("whsec_" + "QUJD" * 8)


def test_the_body_is_frozen_at_creation(account, pbx, receiver):
    endpoint, _ = _endpoint(account, receiver.url)
    [delivery] = emit(pbx)
    endpoint.headers = {"X-Later": "1"}
    endpoint.save()
    run_due()
    assert receiver.requests[0].body == bytes(Delivery.objects.get(pk=delivery.pk).body)
    assert receiver.requests[0].header("X-Later") is None


def test_only_subscribed_enabled_endpoints_of_the_account_get_the_event(account, pbx, receiver, other_receiver):
    from tests.factories import make_account
    _endpoint(account, receiver.url, triggers=["user_inbound"])
    _endpoint(account, other_receiver.url, triggers=["queue_call"])
    _endpoint(account, other_receiver.url, triggers=["user_inbound"], enabled=False)
    other_account, _, _ = make_account("globex")
    _endpoint(other_account, other_receiver.url, triggers=["user_inbound"])

    assert len(emit(pbx, "user_inbound")) == 1
    run_due()
    assert len(receiver.requests) == 1 and other_receiver.requests == []


@pytest.mark.parametrize(("filters", "payload", "matches"), [
    ({"queues": ["Sales"]}, {"queue_name": "Sales"}, True),
    ({"queues": ["Sales"]}, {"queue_name": "Support"}, False),
    ({"users": ["108"]}, {"user_number": "108"}, True),
    ({"users": ["108"]}, {"user_number": "109"}, False),
    ({"dids": ["0354060752"]}, {"dest_number": "0354060752"}, True),
    ({"dids": ["0399999999"]}, {}, False),
    ({"queues": ["Sales"], "users": ["109"]}, {"queue_name": "Sales"}, False),
    ({"queues": [], "users": []}, {}, True),
])
def test_filters_pick_the_events_an_endpoint_gets(account, pbx, receiver, filters, payload, matches):
    _endpoint(account, receiver.url, filters=filters)
    assert len(emit(pbx, "user_inbound", **payload)) == (1 if matches else 0)


def test_a_dialect_that_sends_nothing_for_a_trigger_creates_no_delivery(account, pbx, receiver):
    _endpoint(account, receiver.url, dialect="3cx-plugin-post", triggers=["webhook_component_event", "user_inbound"])
    assert emit(pbx, "webhook_component_event") == []
    [delivery] = emit(pbx, "user_inbound")
    run_due()
    assert json.loads(receiver.requests[0].body)["event"] == "ringing"
    assert delivery.method == "POST"


def test_3cx_to_rest_posts_to_the_event_path_with_the_bearer_token(account, pbx, receiver):
    endpoint, secret = _endpoint(account, receiver.url + "/base", dialect="3cx-to-rest",
                                 triggers=["call_received"], bearer_token="bearer-xyz-123456")
    assert endpoint.event_paths["call_received"] == "/call/received"
    [delivery] = emit(pbx, "call_received")
    run_due()
    [request] = receiver.requests
    assert request.path == "/base/call/received"
    assert request.header("Authorization") == "Bearer bearer-xyz-123456"
    assert "Authorization" not in delivery.headers
    request.verify(secret)


def test_plugin_get_sends_the_query_string_signed_over_an_empty_body(account, pbx, receiver):
    _, secret = _endpoint(account, receiver.url + "/plugin", dialect="3cx-plugin-get")
    emit(pbx, "user_inbound")
    run_due()
    [request] = receiver.requests
    assert request.method == "GET" and request.path.startswith("/plugin?event=ringing&")
    request.verify(secret)


def test_every_endpoint_gets_a_signing_secret(account, receiver):
    endpoint, secret = _endpoint(account, receiver.url)
    assert secret.startswith("whsec_")
    assert [s.secret for s in SigningSecret.objects.filter(endpoint=endpoint)] == [secret]


def test_a_webhook_components_own_headers_go_with_its_events(account, pbx, receiver):
    # Seed 004: "the following HTTP Headers are sent with the webhook event, along with any
    # additional headers defined on the webhook object".
    WebhookComponent.objects.create(account=account, name="Queue timeout", condition="queue_wait_over",
                                    target="822", seconds=60, headers={"X-Flow": "timeout-822", "Content-Type": "x"})
    _endpoint(account, receiver.url, triggers=["webhook_component_event", "user_inbound"])
    [delivery] = emit(pbx, "webhook_component_event", component_name="Queue timeout")
    [other] = emit(pbx, "user_inbound")
    run_due()
    by_id = {r.header("webhook-id"): r for r in receiver.requests}
    assert by_id[delivery.message_id].header("X-Flow") == "timeout-822"
    assert by_id[delivery.message_id].header("Content-Type") == "application/json"  # the hub's own stays
    assert by_id[other.message_id].header("X-Flow") is None
