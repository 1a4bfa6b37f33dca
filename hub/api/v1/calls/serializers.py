"""Input and output of /api/v1/calls (the hub's own call resource, beyond the cloud PBX)."""
from __future__ import annotations

from datetime import datetime, timezone

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.api.params import BLANK, DAY_SCHEMA, EARLIEST, LATEST, YEARS_PATTERN, Day, QueryText, choice, whole_number
from hub.selectors.call_history import CallFilters

MAX_LIMIT = 1000


@extend_schema_field({"anyOf": [
    DAY_SCHEMA, {"type": "string", "format": "date-time", "pattern": YEARS_PATTERN, "maxLength": 40}, BLANK]})
class DayOrInstant(serializers.Field):
    """``2025-03-01`` (that day in the PBX's zone) or an ISO 8601 instant with its offset."""

    default_error_messages = {"invalid": "expected YYYY-MM-DD or an ISO 8601 date-time with offset"}

    def to_internal_value(self, data):
        text = str(data).strip()
        if "\x00" in text or len(text) > 40:
            self.fail("invalid")
        if len(text) == 10:
            return Day().run_validation(text)
        try:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail("invalid")
        if instant.tzinfo is None or not EARLIEST.year <= instant.year <= LATEST.year:
            self.fail("invalid")
        # In UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601 (and Python) allow up to ±23:59.
        return instant.astimezone(timezone.utc)

    def to_representation(self, value):
        return value.isoformat()


class CallListInput(serializers.Serializer):
    direction = choice(["inbound", "outbound", "internal"], default=None, help_text="Call direction.")
    status = choice(["answered", "unanswered"], default=None, help_text="Whether anyone talked.")
    caller_number = QueryText(required=False, max_length=64, help_text="Exact caller number.")
    did = QueryText(required=False, max_length=64, help_text="Exact DID the call came in on.")
    user = QueryText(required=False, max_length=32, help_text="Calls that reached (or were placed by) this extension.")
    queue = QueryText(required=False, max_length=200, help_text="Calls that went through this queue (number or name).")
    sort_by = choice(["newest_first", "oldest_first"], default="newest_first", help_text="Order by start time.")
    limit = whole_number(min_value=1, max_value=MAX_LIMIT, default=100, help_text="Calls per page (at most 1000).")
    cursor = QueryText(required=False, max_length=400, help_text=(
        "The `next` cursor of the previous page, as it came: opaque, and only good for the same `sort_by` "
        "(any other value gets a 400 naming `cursor`)."))

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, hence declared here.
        fields["from"] = DayOrInstant(required=False, help_text="Calls starting at/after (day or instant).")
        fields["to"] = DayOrInstant(required=False, help_text="Calls starting up to this day (inclusive) or "
                                                             "before this instant.")
        return fields

    def filters(self) -> CallFilters:
        data = self.validated_data
        return CallFilters(direction=data.get("direction"), status=data.get("status"),
                           caller_number=data.get("caller_number"), did=data.get("did"),
                           start_from=data.get("from"), start_to=data.get("to"), user=data.get("user"),
                           queue=data.get("queue"))


class UserLegOut(serializers.Serializer):
    user = serializers.CharField()
    rang_at = serializers.CharField(allow_null=True)
    answered_at = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    via_queue = serializers.CharField(required=False)
    via_ring_group = serializers.CharField(required=False)
    transfer = serializers.CharField(required=False)
    forwarded_from = serializers.CharField(required=False)


class QueueLegOut(serializers.Serializer):
    queue = serializers.CharField()
    qcid = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    agent = serializers.CharField()
    entered_at = serializers.CharField(allow_null=True)
    left_at = serializers.CharField(allow_null=True)


class RingGroupLegOut(serializers.Serializer):
    ring_group = serializers.CharField()
    status = serializers.CharField()
    agent = serializers.CharField()


class RecordingOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["call_recording", "voicemail"])
    user = serializers.CharField(help_text="the extension recorded, or whose voicemail box it is")
    file = serializers.CharField(help_text="what the PBX announced: a file name or a URL")
    name = serializers.CharField(help_text="the file's own name")
    at = serializers.CharField()
    state = serializers.ChoiceField(choices=["announced", "stored", "missing", "failed", "purged"],
                                    help_text="announced: the audio is awaited; stored: the link works")
    state_reason = serializers.CharField(help_text="why it is missing or failed; empty otherwise")
    content_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True, help_text="bytes")
    duration = serializers.FloatField(allow_null=True, help_text="seconds")
    checksum = serializers.CharField(help_text="SHA-256 of the audio, hex")
    link = serializers.CharField(help_text="signed link to the audio, fresh on each read and valid for days "
                                           "(RECORDING_LINK_SECONDS); empty unless stored")


class CallOut(serializers.Serializer):
    unique_call_id = serializers.CharField()
    pbx = serializers.CharField(help_text="The PBX's slug")
    pbx_call_id = serializers.CharField(allow_null=True)
    direction = serializers.CharField()
    caller_number = serializers.CharField()
    caller_name = serializers.CharField()
    dest_number = serializers.CharField()
    did = serializers.CharField()
    trunk = serializers.CharField()
    call_start_at = serializers.CharField()
    connected_at = serializers.CharField(allow_null=True)
    ended_at = serializers.CharField(allow_null=True)
    call_duration = serializers.IntegerField(allow_null=True)
    conversation_duration = serializers.IntegerField(allow_null=True)
    users = UserLegOut(many=True)
    queues = QueueLegOut(many=True)
    ring_groups = RingGroupLegOut(many=True)
    voicemail = serializers.JSONField(allow_null=True)
    recordings = RecordingOut(many=True, help_text="call recordings and the voicemail, with their audio")
    callback = serializers.JSONField(allow_null=True)
    closed_reason = serializers.CharField(required=False)


class EventOut(serializers.Serializer):
    trigger = serializers.CharField()
    sequence = serializers.IntegerField()
    occurred_at = serializers.CharField()
    payload = serializers.JSONField()


class CallDetailOut(CallOut):
    events = EventOut(many=True)
