"""OpenAPI descriptions of the push endpoints, kept apart so the views read as plain code."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample, OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema,
)

from hub.api.ingest.serializers import (
    AcceptedSerializer, NativeEventSerializer, NotFoundSerializer, PluginRequestSerializer,
    PushErrorSerializer, TokenMissingSerializer,
)

TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.PATH,
    description="The PBX's ingest token (shown once when the PBX is created). It is the "
                "credential: no other authentication, no CSRF token.")

# The same endpoints without the token in the URL (so it stays out of access logs on the way).
# OpenAPI ignores a header parameter named Authorization, so only X-Pbx-Token is declared.
HEADER_TOKEN = OpenApiParameter(
    "X-Pbx-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The PBX's ingest token; `Authorization: Bearer <token>` works too. One of the two "
                "is required on this URL.")

RESPONSES = {
    202: AcceptedSerializer,
    400: OpenApiResponse(PushErrorSerializer, description="Malformed push; `field` names what is wrong."),
    404: OpenApiResponse(NotFoundSerializer, description="Unknown token (the same reply for any bad token)."),
    413: OpenApiResponse(PushErrorSerializer, description="Body larger than 1 MiB."),
}
HEADER_RESPONSES = RESPONSES | {
    401: OpenApiResponse(TokenMissingSerializer, description="No token in either header."),
}


def with_token_in_header(doc: dict) -> dict:
    """The keyword arguments of an endpoint's extend_schema, for its token-less URL."""
    parameters = [p for p in doc["parameters"] if p is not TOKEN]
    return doc | {"operation_id": doc["operation_id"] + "_token_in_header", "parameters": [HEADER_TOKEN, *parameters],
                  "responses": HEADER_RESPONSES}

NATIVE_EVENT_EXAMPLE = {
    "id": "pbx7-000123", "kind": "call.incoming", "occurred_at": "2025-03-01T09:14:22+11:00",
    "pbx_call_id": "4521", "data": {"caller_number": "+61390001234", "did": "+61386001000"},
}
NATIVE_LIST_EXAMPLE = [
    NATIVE_EVENT_EXAMPLE,
    {"id": "pbx7-000124", "kind": "user.ringing", "occurred_at": "2025-03-01T09:14:23+11:00",
     "pbx_call_id": "4521", "data": {"user": "102"}},
    {"id": "pbx7-000125", "kind": "call.answered", "occurred_at": "2025-03-01T09:14:30+11:00",
     "pbx_call_id": "4521", "data": {"user": "102"}},
    {"id": "pbx7-000126", "kind": "call.terminated", "occurred_at": "2025-03-01T09:16:02+11:00",
     "pbx_call_id": "4521", "data": {"reason": "TerminatedBySrc"}},
]

NATIVE_PUSH = dict(
    operation_id="ingest_native_push",
    tags=["ingest"],
    summary="Push PBX events in the hub's own JSON schema",
    description="One event object, or a list of at most 1000. Events are stored once per `id`, "
                "assembled into calls and turned into webhook events; a re-sent push reports "
                "its events as duplicates and changes nothing.",
    parameters=[TOKEN],
    # Media type named explicitly: the view has no parsers (the adapter reads the raw body),
    # so the schema generator would otherwise leave the request body out.
    request={"application/json": PolymorphicProxySerializer(
        component_name="NativePush",
        serializers=[NativeEventSerializer, NativeEventSerializer(many=True)],
        resource_type_field_name=None,
        many=False,  # the list is one of the alternatives, not a list of alternatives
    )},
    responses=RESPONSES,
    examples=[
        OpenApiExample("One event", value=NATIVE_EVENT_EXAMPLE, request_only=True),
        OpenApiExample("A whole call", value=NATIVE_LIST_EXAMPLE, request_only=True),
        OpenApiExample("Accepted", value={"status": "accepted", "received": 4, "stored": 4, "duplicates": 0},
                       response_only=True, status_codes=["202"]),
    ],
)

# The GET scheme sends every field in the query string (seed 002).
PLUGIN_QUERY = [
    OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, enum=enum, description=text)
    for name, enum, text in [
        ("event", ["ringing", "dialing", "hangupincoming", "hangupoutgoing", "incoming", "outgoing"],
         "What happened."),
        ("id", None, "Plugin call id yymmddHHMMSS_N-L, e.g. 230102104542_15-1."),
        ("callerid", None, "The external number."),
        ("user", None, "Extension, or the queue/IVR number."),
        ("usertype", ["ext", "queue", "other"], "On ringing: what rang."),
        ("did", None, "DID of an incoming call."),
        ("trtype", ["NotDef", "Blind", "Accomp"], "On hangupincoming/hangupoutgoing."),
        ("finishtype", ["Ok", "Missed"], "On incoming/outgoing."),
        ("transfer", ["True", "False"], "On incoming/outgoing."),
        ("title", None, "The plugin's summary sentence."),
    ]
]

PLUGIN_GET = dict(
    operation_id="ingest_3cx_webhook_get",
    tags=["ingest"],
    summary="3CX Webhook plugin, GET scheme (POST = 0)",
    description="Point the plugin's WEBHOOK_URL at this address. Each request is one plugin event.",
    parameters=[TOKEN, *PLUGIN_QUERY],
    responses=RESPONSES,
)

PLUGIN_POST = dict(
    operation_id="ingest_3cx_webhook_post",
    tags=["ingest"],
    summary="3CX Webhook plugin, POST scheme and recording links",
    description="The POST scheme's JSON body (or the same fields form-encoded), and the "
                "recording request (WEBHOOK_POST_URL): `{\"FILES\": [urls], …}`, a bare JSON "
                "list of URLs, or the link alone as text. Query-string fields are merged in.",
    parameters=[TOKEN],
    request={
        "application/json": PluginRequestSerializer,
        "application/x-www-form-urlencoded": PluginRequestSerializer,
        "text/plain": OpenApiTypes.STR,
    },
    responses=RESPONSES,
    examples=[
        OpenApiExample("Call ended", request_only=True, media_type="application/json", value={
            "event": "incoming", "callerid": "420774852629", "user": "102", "finishtype": "Ok",
            "transfer": "False", "did": "DID-420222000320",
            "title": "DID-420222000320:Answered call from 420774852629 (0:07)", "id": "230115121143_9-1"}),
        OpenApiExample("Recording ready", request_only=True, media_type="application/json", value={
            "FILES": ["https://pbx.example.com:5001/webapi/recording/230115121143_9-1-1.mp3"],
            "event": "incoming", "callerid": "420774852629", "user": "102", "id": "230115121143_9-1"}),
    ],
)

native_push = extend_schema(**NATIVE_PUSH)
native_push_token_in_header = extend_schema(**with_token_in_header(NATIVE_PUSH))
plugin_get = extend_schema(**PLUGIN_GET)
plugin_get_token_in_header = extend_schema(**with_token_in_header(PLUGIN_GET))
plugin_post = extend_schema(**PLUGIN_POST)
plugin_post_token_in_header = extend_schema(**with_token_in_header(PLUGIN_POST))
