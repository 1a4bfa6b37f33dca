"""Serializers that describe the push endpoints in the OpenAPI schema.

They document; they do not validate. The adapters (integrations/native_json,
integrations/threecx_plugin) validate, so an error names the same field (``events[3].kind``)
whichever interface — push, file import, tailing — the input came through.
"""
from __future__ import annotations

from rest_framework import serializers

from hub.vocabulary.pbx_event import Kind
from integrations.native_json.parser import MAX_ID_LENGTH

# cdr.record is 3CX's own format: a native push describes the call in event terms instead.
PUSHABLE_KINDS = [kind.value for kind in Kind if kind is not Kind.CDR_RECORD]


class NativeEventSerializer(serializers.Serializer):
    id = serializers.CharField(
        max_length=MAX_ID_LENGTH,
        help_text="Your unique id for this event. Re-sending the same id stores nothing new, "
                  "so a push may be retried safely after a timeout.")
    kind = serializers.ChoiceField(choices=PUSHABLE_KINDS, help_text="What happened.")
    occurred_at = serializers.DateTimeField(
        help_text="ISO 8601 with its UTC offset (RFC 3339), years 1970-2999, e.g. 2025-03-01T09:14:22+11:00.")
    pbx_call_id = serializers.CharField(
        required=False, allow_null=True,
        help_text="The PBX's id of the call; events with the same id make up one call. "
                  "Queue events may leave it out and name their qcid in data instead.")
    data = serializers.DictField(
        required=False,
        help_text="Details by kind (see hub/vocabulary/pbx_event.py), e.g. caller_number and "
                  "did on call.incoming, user on user.ringing and call.answered, reason on "
                  "call.terminated. Unknown keys are kept.")


class PluginRequestSerializer(serializers.Serializer):
    """The "3CX Webhook" plugin's fields, as it sends them (formats.md §4)."""

    event = serializers.ChoiceField(
        required=False,
        choices=["ringing", "dialing", "hangupincoming", "hangupoutgoing", "incoming", "outgoing"],
        help_text="Left out only by a recording request that carries FILES alone.")
    id = serializers.CharField(
        required=False, help_text="Plugin call id yymmddHHMMSS_N-L, e.g. 230115121143_9-1.")
    callerid = serializers.CharField(required=False, help_text="The external number.")
    user = serializers.CharField(required=False, help_text="Extension (or queue/IVR number).")
    usertype = serializers.ChoiceField(required=False, choices=["ext", "queue", "other"],
                                       help_text="On ringing: what rang.")
    did = serializers.CharField(required=False, allow_blank=True,
                                help_text="The DID of an incoming call (\"empty\" means none).")
    trtype = serializers.ChoiceField(required=False, choices=["NotDef", "Blind", "Accomp"],
                                     help_text="On hangupincoming/hangupoutgoing: how it was "
                                               "picked up (direct, blind or attended transfer).")
    finishtype = serializers.ChoiceField(required=False, choices=["Ok", "Missed"],
                                         help_text="On incoming/outgoing: talked or not.")
    transfer = serializers.ChoiceField(required=False, choices=["True", "False"],
                                       help_text="On incoming/outgoing: this link ended by a transfer.")
    title = serializers.CharField(required=False, help_text="The plugin's summary sentence.")
    FILES = serializers.ListField(
        child=serializers.URLField(), required=False,
        help_text="Recording request only (POST): download links of the call's recordings.")


class AcceptedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["accepted"])
    received = serializers.IntegerField(help_text="Events the push stood for.")
    stored = serializers.IntegerField(help_text="Events new to the hub.")
    duplicates = serializers.IntegerField(help_text="Events the hub already had (a re-send).")


class PushErrorSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["error"])
    message = serializers.CharField(help_text="\"<field>: <reason>\"")
    field = serializers.CharField(help_text="The field at fault, e.g. events[3].kind, id, body.")


class TokenMissingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["error"])
    message = serializers.CharField(help_text="Says where the token goes.")


class NotFoundSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["error"])
    message = serializers.ChoiceField(choices=["Not found"])
