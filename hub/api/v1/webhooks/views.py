"""/api/v1/webhooks: integrators manage their account's webhook endpoints with an API key."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status

from hub.api import envelope
from hub.api.auth import CanManageWebhooks
from hub.api.base import ApiKeyView
from hub.api.schema import ERRORS, ErrorEnvelope, envelope_of
from hub.api.v1.webhooks import serializers as s
from hub.selectors.delivery import webhook_get, webhook_list
from hub.services.delivery import (
    webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_update, webhook_test,
)

NOT_FOUND = {404: OpenApiResponse(ErrorEnvelope, description="No such webhook on this account.")}
CREATE_EXAMPLE = OpenApiExample("A CRM subscribing to inbound calls", request_only=True, value={
    "url": s.SAMPLE_URL, "dialect": "json", "triggers": ["user_inbound", "user_inbound_completed"],
    "secret_token": "my-shared-token", "filters": {"queues": ["Sales"]}, "timeout_seconds": 10,
})
CREATED_EXAMPLE = OpenApiExample("Created", response_only=True, status_codes=["201"], value={
    "status": "success", "message": "Created", "code": 201, "data": {
        "id": 7, "name": "", "url": s.SAMPLE_URL, "enabled": True, "dialect": "json",
        "triggers": ["user_inbound", "user_inbound_completed"], "event_paths": {}, "recording_url": "",
        "recording_full_info": True, "headers": {}, "filters": {"queues": ["Sales"]}, "timeout_seconds": 10, "retry_policy": "schedule",
        "max_concurrency": 4,
        "last_success_at": None, "last_failure_at": None, "last_failure_reason": "", "consecutive_failures": 0,
        "failing_since": None, "disabled_at": None, "disabled_reason": "",
        "created_at": "2025-03-01T09:14:22Z", "updated_at": "2025-03-01T09:14:22Z",
        "signing_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})
TEST_EXAMPLE = OpenApiExample("Sample sent", response_only=True, value={
    "status": "success", "message": "OK", "code": 200, "data": {
        "status": "delivered", "status_code": 200, "latency_ms": 84, "response_body": "ok", "error_class": "",
        "error_message": "", "method": "POST", "url": s.SAMPLE_URL, "message_id": "msg_2b1f…",
        "delivery_id": 51, "request_headers": {"Content-Type": "application/json", "X-Pbx-Token": "my-s…",
                                               "webhook-id": "msg_2b1f…", "webhook-signature": "v1,K5oZ…"}}})


WEBHOOK = envelope_of("Webhook", s.WebhookOut(), many=False)


def _out(endpoint) -> dict:
    return s.WebhookOut(endpoint).data


class WebhookApi(ApiKeyView):
    permission_classes = [CanManageWebhooks]

    @property
    def actor(self) -> str:
        return f"api key {self.request.auth.prefix}"

    def endpoint(self, webhook_id: int):
        return webhook_get(account=self.account, endpoint_id=webhook_id)


class WebhookListApi(WebhookApi):
    @extend_schema(operation_id="webhooks_list", tags=["webhooks"], summary="The account's webhook endpoints",
                   responses={200: envelope_of("WebhookList", s.WebhookOut()), **ERRORS})
    def get(self, request):
        return envelope.success([_out(e) for e in webhook_list(account=self.account)])

    @extend_schema(operation_id="webhooks_create", tags=["webhooks"], summary="Subscribe an endpoint to triggers",
                   request={"application/json": s.WebhookInput}, examples=[CREATE_EXAMPLE, CREATED_EXAMPLE],
                   responses={201: envelope_of("WebhookCreated", s.WebhookCreatedOut(), many=False), **ERRORS})
    def post(self, request):
        data = s.WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(account=self.account, actor=self.actor, **data.validated_data)
        return envelope.success(_out(endpoint) | {"signing_secret": secret}, message="Created",
                                code=status.HTTP_201_CREATED)


class WebhookDetailApi(WebhookApi):
    @extend_schema(operation_id="webhooks_retrieve", tags=["webhooks"], summary="One webhook endpoint with its health",
                   responses={200: WEBHOOK, **NOT_FOUND, **ERRORS})
    def get(self, request, webhook_id: int):
        return envelope.success(_out(self.endpoint(webhook_id)))

    @extend_schema(operation_id="webhooks_update", tags=["webhooks"], summary="Change some fields",
                   request={"application/json": s.WebhookInput(partial=True)},
                   examples=[OpenApiExample("Re-enable and add a trigger", request_only=True,
                                            value={"enabled": True, "triggers": ["user_inbound", "queue_call"]})],
                   responses={200: WEBHOOK, **NOT_FOUND, **ERRORS})
    def patch(self, request, webhook_id: int):
        endpoint = self.endpoint(webhook_id)
        data = s.WebhookInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=endpoint, actor=self.actor, **data.validated_data)
        return envelope.success(_out(endpoint))

    @extend_schema(operation_id="webhooks_destroy", tags=["webhooks"], summary="Delete an endpoint",
                   responses={200: OpenApiResponse(description="Deleted; its deliveries and attempt log go too."),
                              **NOT_FOUND, **ERRORS})
    def delete(self, request, webhook_id: int):
        webhook_endpoint_delete(endpoint=self.endpoint(webhook_id), actor=self.actor)
        return envelope.success([], message="Deleted")


class WebhookTestApi(WebhookApi):
    @extend_schema(operation_id="webhooks_test", tags=["webhooks"],
                   summary="Send a trigger's sample payload now; the receiver's answer comes back",
                   description="Through the same path as real deliveries (dialect, X-Pbx-Token, signature, "
                               "SSRF guard, attempt log); marked as a test and never retried.",
                   request={"application/json": s.TestInput}, examples=[OpenApiExample("Test", request_only=True,
                                                                 value={"trigger": "user_inbound"}), TEST_EXAMPLE],
                   responses={200: envelope_of("WebhookTestResult", s.TestOut(), many=False), **NOT_FOUND, **ERRORS})
    def post(self, request, webhook_id: int):
        endpoint = self.endpoint(webhook_id)
        data = s.TestInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = webhook_test(endpoint=endpoint, trigger=data.validated_data["trigger"], actor=self.actor)
        out = {name: getattr(result, name) for name in s.TestOut().fields if hasattr(result, name)}
        out["status"] = "delivered" if result.delivered else "failed"
        return envelope.success(s.TestOut(out).data)
