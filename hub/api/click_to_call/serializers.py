"""Input and output of the click-to-call endpoints."""
from __future__ import annotations

from rest_framework import serializers

from hub.api.json_types import JsonTyped
from hub.api.params import NumberText, Text
from hub.models import ClickToCallStatus


class OriginateInput(JsonTyped):
    # min_length only tells the schema what "may not be blank" already refuses.
    user_number = NumberText(min_length=1, max_length=32, help_text="The user's extension; its devices ring first.")
    number_to_call = NumberText(min_length=1, max_length=32, help_text="E.164 (`+61355501234`); a national number when the "
                                                  "PBX has a default region.")
    # null, like blank, means left out (the view drops null fields): allow_null says so in the schema.
    caller_id = NumberText(max_length=64, required=False, allow_blank=True, allow_null=True,
                     help_text="Caller id to present to the called number, when the PBX allows it.")
    pbx = Text(max_length=60, required=False, allow_blank=True, allow_null=True,
               help_text="PBX slug; only needed when the account has several PBXes with this extension.")


class ClickToCallOut(serializers.Serializer):
    id = serializers.IntegerField()
    # A plain string in the schema: another "status" enum would collide with the envelope's.
    status = serializers.CharField(help_text=f"One of {', '.join(ClickToCallStatus.values)}: "
                                             "queued → ringing_user → connected, or failed")
    reason = serializers.CharField(help_text="Why it failed, in words; empty otherwise")
    user_number = serializers.CharField()
    number_to_call = serializers.CharField(help_text="E.164")
    caller_id = serializers.CharField()
    pbx = serializers.CharField(help_text="PBX slug")
    driver = serializers.CharField(help_text="simulator, 3cx or ari")
    pbx_reference = serializers.CharField(allow_null=True, help_text="The PBX's id for the call once placed")
    unique_call_id = serializers.CharField(allow_null=True, help_text="The call in the history "
                                           "(`/api/v1/calls/<unique_call_id>`) once its logs are ingested")
    connected_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    status_url = serializers.URLField()
