"""Webhook endpoints (subscriptions), and the outbox: one delivery per (event, endpoint)."""
from django.db import models

from hub.crypto import EncryptedTextField
from hub.models.accounts import Account
from hub.models.calls import Call
from hub.models.events import CatalogueEvent


class Dialect(models.TextChoices):
    JSON = "json", "JSON (cloud PBX field names)"
    PLUGIN_GET = "3cx-plugin-get", "3CX Webhook plugin (GET)"
    PLUGIN_POST = "3cx-plugin-post", "3CX Webhook plugin (POST)"
    TO_REST = "3cx-to-rest", "3CX Call Events to REST (one path per event)"


class RetryPolicy(models.TextChoices):
    SCHEDULE = "schedule", "Retry failed deliveries on the hub's schedule"
    # 3CXCallEventstoREST (seed 000) posts each event once; receivers written for it may not
    # expect a second try.
    NONE = "none", "No retries: one attempt per event"


class WebhookEndpoint(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=1000)
    enabled = models.BooleanField(default=True)
    dialect = models.CharField(max_length=20, choices=Dialect.choices, default=Dialect.JSON)
    triggers = models.JSONField(default=list, help_text="catalogue keys")
    secret_token = EncryptedTextField(blank=True, help_text="sent as X-Pbx-Token")
    bearer_token = EncryptedTextField(blank=True, help_text="3cx-to-rest: Authorization: Bearer")
    event_paths = models.JSONField(default=dict, blank=True, help_text="3cx-to-rest: trigger -> path ('' = off)")
    # The 3CX Webhook plugin's TCXWebAPI.ini settings, per endpoint (3cx-plugin-* dialects).
    recording_url = models.URLField(max_length=1000, blank=True,
                                    help_text="3cx-plugin-*: WEBHOOK_POST_URL, where recording messages go ('' = url)")
    recording_full_info = models.BooleanField(
        default=True, help_text="3cx-plugin-*: RECORDING_FULL_INFO=1 (the call-end fields beside FILES); false: FILES only")
    headers = models.JSONField(default=dict, blank=True, help_text="extra request headers")
    filters = models.JSONField(default=dict, blank=True, help_text="{queues: [], users: [], dids: []}")
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    retry_policy = models.CharField(max_length=10, choices=RetryPolicy.choices, default=RetryPolicy.SCHEDULE)
    # The ceiling of the endpoint's adaptive concurrency (hub/services/delivery/adaptive.py):
    # the hub starts at 4 requests at once and grows toward it while the receiver keeps up.
    max_concurrency = models.PositiveSmallIntegerField(default=64)
    # Health, kept by the delivery engine.
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_reason = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "enabled"], name="webhook_account_enabled")]

    def __str__(self) -> str:
        return self.name or self.url


class SigningSecret(models.Model):
    """Standard Webhooks secrets of an endpoint: during rotation old and new both sign."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="signing_secrets")
    secret = EncryptedTextField(help_text="whsec_…")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="set on the old secret when rotated")

    class Meta:
        ordering = ["-created_at", "-id"]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its turn or its next attempt
    SENDING = "sending"  # claimed by a worker
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up (or permanent error); an admin may redeliver


class Delivery(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(CatalogueEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    sequence = models.PositiveIntegerField(default=0, help_text="order within (endpoint, call)")
    trigger = models.CharField(max_length=40)
    message_id = models.CharField(max_length=64, unique=True, help_text="webhook-id: the same on every retry")
    method = models.CharField(max_length=6, default="POST")
    url = models.URLField(max_length=2000)
    headers = models.JSONField(default=dict, help_text="rendered non-secret headers")
    body = models.BinaryField(help_text="frozen at creation; retries send the same bytes")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    is_test = models.BooleanField(default=False)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # A pump's claim: its endpoint's pending deliveries in (next_attempt_at, id) order.
            models.Index(fields=["endpoint", "status", "next_attempt_at", "id"], name="delivery_endpoint_due"),
            models.Index(fields=["endpoint", "call", "sequence"], name="delivery_call_order"),
            models.Index(fields=["account", "created_at"], name="delivery_account_created"),
            models.Index(fields=["endpoint", "status", "created_at"], name="delivery_endpoint_status"),
        ]


class Attempt(models.Model):
    # No foreign key in the database: on PostgreSQL deliveries are partitioned by week, and a key
    # may only point at a unique constraint, which there must include created_at (hub.services.
    # partitions). Django still deletes a delivery's attempts with it.
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts", db_constraint=False)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="first 16 KB")
    error_class = models.CharField(max_length=60, blank=True, help_text="timeout, connection, ssrf_refused, http_5xx, …")
    error_message = models.TextField(blank=True)
    resolved_ip = models.GenericIPAddressField(null=True, blank=True)
    request_headers = models.JSONField(default=dict, help_text="as sent, secrets masked")
    response_headers = models.JSONField(default=dict, blank=True, help_text="as received, secrets masked")

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["started_at"], name="attempt_started")]
