"""/api/v1/webhooks with an API key: CRUD, write-only secrets, the signing secret once, tests."""
import pytest
from django.test import Client

from hub.models import Scope, WebhookEndpoint
from hub.services.api_keys import api_key_create
from hub.services.delivery import webhook_endpoint_create
from tests.factories import make_account

pytestmark = pytest.mark.django_db

SECRETS = ("secret_token", "bearer_token", "signing_secret")


@pytest.fixture
def api(api_key):
    return Client(HTTP_TOKEN=api_key, REMOTE_ADDR="127.0.0.1")


def _create(api, **fields):
    body = {"url": "https://crm.example.com/hook", "triggers": ["user_inbound"]} | fields
    return api.post("/api/v1/webhooks", body, content_type="application/json")


def test_create_returns_the_signing_secret_once_and_never_the_tokens(api):
    response = _create(api, secret_token="tok-123456789", dialect="json", filters={"queues": ["Sales"]})
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["signing_secret"].startswith("whsec_")
    assert "secret_token" not in data and data["filters"] == {"queues": ["Sales"]}
    assert WebhookEndpoint.objects.get(pk=data["id"]).secret_token == "tok-123456789"

    for reply in (api.get(f"/api/v1/webhooks/{data['id']}"), api.get("/api/v1/webhooks")):
        assert reply.status_code == 200
        text = reply.content.decode()
        assert "whsec_" not in text and "tok-123456789" not in text
        assert not any(name in text for name in SECRETS)


def test_the_fields_of_the_resource(api):
    data = _create(api, dialect="3cx-to-rest", triggers=["call_received"], bearer_token="b-123456789").json()["data"]
    assert {"id", "url", "enabled", "dialect", "triggers", "event_paths", "headers", "filters", "timeout_seconds",
            "consecutive_failures", "last_success_at", "last_failure_at", "disabled_at"} <= set(data)
    assert data["event_paths"]["call_received"] == "/call/received"  # seed 000's defaults


def test_patch_changes_fields_and_re_enables(api):
    created = _create(api).json()["data"]
    WebhookEndpoint.objects.filter(pk=created["id"]).update(enabled=False, disabled_reason="410", consecutive_failures=9)
    reply = api.patch(f"/api/v1/webhooks/{created['id']}", {"enabled": True, "triggers": ["queue_call"],
                                                              "secret_token": "new-token-1234"},
                      content_type="application/json")
    assert reply.status_code == 200, reply.json()
    data = reply.json()["data"]
    assert data["enabled"] and data["triggers"] == ["queue_call"]
    assert data["disabled_reason"] == "" and data["consecutive_failures"] == 0
    assert WebhookEndpoint.objects.get(pk=created["id"]).secret_token == "new-token-1234"


def test_delete(api):
    created = _create(api).json()["data"]
    assert api.delete(f"/api/v1/webhooks/{created['id']}").status_code == 200
    assert api.get(f"/api/v1/webhooks/{created['id']}").status_code == 404


def test_unknown_trigger_is_a_400_naming_it(api):
    reply = _create(api, triggers=["user_inbound", "no_such_trigger"])
    assert reply.status_code == 400
    assert "no_such_trigger" in reply.json()["message"]


@pytest.mark.parametrize(("fields", "named"), [
    ({"dialect": "xml"}, "dialect"),
    ({"headers": {"X-Pbx-Token": "forged"}}, "headers"),
    ({"filters": {"planets": ["x"]}}, "filters"),
    ({"timeout_seconds": 999}, "timeout_seconds"),
    ({"url": "ftp://example.com"}, "url"),
])
def test_bad_fields_are_400s_naming_the_field(api, fields, named):
    reply = _create(api, **fields)
    assert reply.status_code == 400 and reply.json()["message"].startswith(named), reply.json()


def test_another_accounts_webhook_is_a_404(api):
    other, _, _ = make_account("globex")
    theirs, _ = webhook_endpoint_create(account=other, url="https://globex.example.com", triggers=[], actor="t")
    assert api.get(f"/api/v1/webhooks/{theirs.pk}").status_code == 404
    assert api.patch(f"/api/v1/webhooks/{theirs.pk}", {"enabled": False},
                     content_type="application/json").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{theirs.pk}").status_code == 404
    assert api.post(f"/api/v1/webhooks/{theirs.pk}/test", {"trigger": "user_inbound"},
                    content_type="application/json").status_code == 404
    assert api.get("/api/v1/webhooks").json()["data"] == []
    assert WebhookEndpoint.objects.filter(pk=theirs.pk, enabled=True).exists()


def test_a_key_without_the_scope_is_refused(account):
    _, key = api_key_create(account=account, name="reader", scopes=[Scope.CALLS_READ.value])
    from hub.services.access import allowed_network_add
    allowed_network_add(account=account, address="127.0.0.1")
    assert Client(HTTP_TOKEN=key, REMOTE_ADDR="127.0.0.1").get("/api/v1/webhooks").status_code == 403


def test_no_key_is_a_401(account):
    from hub.services.access import allowed_network_add
    allowed_network_add(account=account, address="127.0.0.1")
    assert Client(REMOTE_ADDR="127.0.0.1").get("/api/v1/webhooks").status_code == 401


def test_test_request_returns_the_receivers_answer(api, receiver):
    from tests.delivery_engine.receiver import Reply
    receiver.replies = [Reply(202, b"thanks")]
    created = _create(api, url=receiver.url + "/in", secret_token="tok-123456789").json()["data"]
    reply = api.post(f"/api/v1/webhooks/{created['id']}/test", {"trigger": "user_inbound_completed"},
                     content_type="application/json")
    assert reply.status_code == 200, reply.json()
    data = reply.json()["data"]
    assert data["status"] == "delivered" and data["status_code"] == 202 and data["response_body"] == "thanks"
    assert data["latency_ms"] >= 0 and data["request_headers"]["X-Pbx-Token"] != "tok-123456789"
    assert receiver.requests[0].header("X-Pbx-Token") == "tok-123456789"


def test_test_request_with_an_unknown_trigger_is_a_400(api):
    created = _create(api).json()["data"]
    reply = api.post(f"/api/v1/webhooks/{created['id']}/test", {"trigger": "nope"}, content_type="application/json")
    assert reply.status_code == 400 and "nope" in reply.json()["message"]


def test_the_resource_is_in_the_openapi_schema(api):
    from django.test import Client as Plain
    schema = Plain().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/webhooks/{webhook_id}/test" in schema and "webhooks_create" in schema


def test_retry_policy_is_schedule_by_default_and_none_on_request(api):
    assert _create(api).json()["data"]["retry_policy"] == "schedule"
    created = _create(api, dialect="3cx-to-rest", triggers=["call_received"], retry_policy="none").json()["data"]
    assert created["retry_policy"] == "none"
    assert WebhookEndpoint.objects.get(pk=created["id"]).retry_policy == "none"
    assert _create(api, retry_policy="sometimes").status_code == 400
