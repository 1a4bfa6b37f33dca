"""Input and output of /api/v1/webhooks. Secrets are write-only; the signing secret appears once."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.api.json_types import JsonTyped
from hub.api.params import BLANK, NO_NUL_PATTERN, Text
from hub.catalogue import CATALOGUE
from hub.models import Dialect, RetryPolicy
from hub.services.delivery.filters import FILTER_FIELDS

SAMPLE_URL = "https://crm.example.com/hooks/pbx"
TRIGGER_NAMES = sorted(CATALOGUE)

# The schema names the values the service accepts; the service keeps checking them itself, with
# its own messages ("triggers: unknown trigger(s) x"), so these classes only shape the schema.


@extend_schema_field({"type": "string", "enum": TRIGGER_NAMES})
class TriggerName(Text):
    pass


@extend_schema_field({"type": "object", "additionalProperties": False, "properties": {
    name: {"type": "string", "maxLength": 500, "pattern": NO_NUL_PATTERN} for name in TRIGGER_NAMES}})
class EventPaths(serializers.DictField):
    pass


@extend_schema_field({"type": "object", "additionalProperties": False, "properties": {
    kind: {"type": "array", "items": {"type": "string", "minLength": 1, "pattern": NO_NUL_PATTERN}}
    for kind in FILTER_FIELDS}})
class Filters(serializers.DictField):
    pass


# Names: not expressible in OpenAPI 3.0 (no propertyNames), so the description says them.
@extend_schema_field({"type": "object", "additionalProperties": {
    "type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^[^\\r\\n\\x00]*$"}})
class Headers(serializers.DictField):
    pass


# "" is a value of its own (send recordings to url), so the schema says so beside the URL.
@extend_schema_field({"oneOf": [{"type": "string", "format": "uri", "maxLength": 1000}, BLANK]})
class UrlOrBlank(serializers.URLField):
    pass


class WebhookInput(JsonTyped):
    """The service checks the rest (catalogue keys, header names, filters) and names what is wrong."""

    url = serializers.URLField(max_length=1000, help_text="Where deliveries go (http or https).")
    enabled = serializers.BooleanField(required=False, help_text="Setting true re-enables a disabled endpoint.")
    dialect = serializers.ChoiceField(choices=Dialect.values, required=False,
                                      help_text="json (default), 3cx-plugin-get, 3cx-plugin-post, 3cx-to-rest.")
    triggers = serializers.ListField(child=TriggerName(min_length=1, max_length=40), max_length=100,
                                     help_text="Catalogue keys, e.g. user_inbound, queue_call, call_received.")
    secret_token = Text(max_length=500, required=False, allow_blank=True, write_only=True,
                        help_text="Sent as X-Pbx-Token. Write-only.")
    bearer_token = Text(max_length=500, required=False, allow_blank=True, write_only=True,
                        help_text="3cx-to-rest: sent as Authorization: Bearer. Write-only.")
    event_paths = EventPaths(child=Text(allow_blank=True, max_length=500), required=False,
                             help_text="3cx-to-rest: trigger → path appended to url; '' or a trigger "
                                       "left out switches it off (seed 000's rule). Starts as seed 000's paths.")
    recording_url = UrlOrBlank(
        max_length=1000, required=False, allow_blank=True,
        help_text="3cx-plugin-get/-post: the plugin's WEBHOOK_POST_URL, where recording (and voicemail) messages "
                  "are POSTed; '' (default) sends them to url.")
    recording_full_info = serializers.BooleanField(
        required=False, help_text="3cx-plugin-get/-post: the plugin's RECORDING_FULL_INFO. true (default, =1): the "
                                  "recording message repeats the call-end fields beside FILES; false (=0): "
                                  '{"FILES": [...]} only.')
    headers = Headers(child=Text(max_length=2000), required=False,
                      help_text="Extra request headers: an ASCII name without spaces or colons, "
                                "not one the hub sets itself; a value without line breaks.")
    filters = Filters(child=serializers.ListField(child=Text(trim_whitespace=False)), required=False,
                      help_text='{"queues": [...], "users": [...], "dids": [...]}; empty = all.')
    timeout_seconds = serializers.IntegerField(min_value=1, max_value=30, required=False)
    retry_policy = serializers.ChoiceField(
        choices=RetryPolicy.values, required=False,
        help_text="schedule (default): a failed delivery is tried again on the hub's schedule (5 s, 5 min, 30 min, "
                  "2 h, 5 h, 10 h, 10 h); none: one attempt per event, as 3CXCallEventstoREST posts (a failure "
                  "stays failed; it can still be resent by hand).")
    max_concurrency = serializers.IntegerField(
        min_value=1, max_value=256, required=False,
        help_text="The most requests sent to this endpoint at once (default 64). The hub starts at 4 and "
                  "grows toward it while the receiver answers in time; it backs off on timeouts, errors, "
                  "429 and Retry-After. Each call's events still go one after the other.")
    name = Text(max_length=100, required=False, allow_blank=True)


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.URLField()
    enabled = serializers.BooleanField()
    dialect = serializers.ChoiceField(choices=Dialect.values)
    triggers = serializers.ListField(child=serializers.CharField())
    event_paths = serializers.DictField(child=serializers.CharField())
    recording_url = serializers.CharField()
    recording_full_info = serializers.BooleanField()
    headers = serializers.DictField(child=serializers.CharField())
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    timeout_seconds = serializers.IntegerField()
    retry_policy = serializers.ChoiceField(choices=RetryPolicy.values)
    max_concurrency = serializers.IntegerField()
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_failure_at = serializers.DateTimeField(allow_null=True)
    last_failure_reason = serializers.CharField()
    consecutive_failures = serializers.IntegerField()
    failing_since = serializers.DateTimeField(allow_null=True)
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    signing_secret = serializers.CharField(help_text="whsec_…: shown in this response only, never again.")


class TestInput(JsonTyped):
    trigger = TriggerName(max_length=40, help_text="The catalogue trigger whose sample payload to send.")


class TestOut(serializers.Serializer):
    status = serializers.CharField(help_text="delivered (a 2xx came back) or failed.")
    status_code = serializers.IntegerField(allow_null=True, help_text="The receiver's HTTP status; null if none.")
    latency_ms = serializers.IntegerField()
    response_body = serializers.CharField(help_text="First 16 KB of the receiver's answer.")
    error_class = serializers.CharField(help_text="timeout, connection, dns, ssrf_refused, … ('' if a status came).")
    error_message = serializers.CharField()
    request_headers = serializers.DictField(child=serializers.CharField(), help_text="As sent, secrets masked.")
    method = serializers.CharField()
    url = serializers.URLField()
    message_id = serializers.CharField(help_text="The webhook-id header.")
    delivery_id = serializers.IntegerField()
