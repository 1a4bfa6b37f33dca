"""Click-to-call: POST call-to-number (cloud PBX compatible) and /api/v1/calls; GET its status.

Each view validates, calls one service or selector and answers in the cloud PBX's envelope.
"""
from __future__ import annotations

from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission

from hub.api import envelope
from hub.api.auth import CanPlaceCalls
from hub.api.base import ApiKeyView
from hub.api.click_to_call import serializers as s
from hub.api.schema import ERRORS, ErrorEnvelope, envelope_of
from hub.errors import NotFound
from hub.models import ApiKey, Scope
from hub.selectors.click_to_call import PLACING, click_to_call_detail, originate_pbx_pick
from hub.services.click_to_call import call_originate

FIELDS = ("user_number", "number_to_call", "caller_id", "pbx")

ACCEPTED_EXAMPLE = {
    "id": 42, "status": "queued", "reason": "", "user_number": "101", "number_to_call": "+61355501234",
    "caller_id": "", "pbx": "acme-pbx", "driver": "3cx", "pbx_reference": None, "unique_call_id": None,
    "connected_at": None, "created_at": "2025-03-01T08:00:17+11:00", "updated_at": "2025-03-01T08:00:17+11:00",
    "status_url": "https://hub.example.com/api/v1/calls/originate/42",
}
CONNECTED_EXAMPLE = ACCEPTED_EXAMPLE | {
    "status": "connected", "driver": "simulator", "pbx_reference": "874", "unique_call_id": "250301080017_874",
    "connected_at": "2025-03-01T08:00:31+11:00", "updated_at": "2025-03-01T08:00:32+11:00"}
FAILED_EXAMPLE = ACCEPTED_EXAMPLE | {
    "status": "failed", "reason": "3CX refused the client credentials (HTTP 401 from /connect/token): "
                                  "check the client id and secret"}
NOT_FOUND = OpenApiResponse(ErrorEnvelope, description="No such user (extension) on the account's PBX.", examples=[
    OpenApiExample("Unknown user", value={"status": "error", "message": "user_number: no user 999 on PBX Acme PBX",
                                          "code": 404, "data": []})])
BAD_NUMBER = OpenApiExample("Bad number", status_codes=["400"], response_only=True, value={
    "status": "error", "code": 400, "data": [],
    "message": "number_to_call: expected an E.164 number such as +61355501234"})
ORIGINATE_RESPONSES = {202: envelope_of("ClickToCallAccepted", s.ClickToCallOut(), many=False), **ERRORS,
                       404: NOT_FOUND,
                       409: OpenApiResponse(ErrorEnvelope, description="Click-to-call is not configured "
                                                                       "for the PBX.")}


def click_as_dict(request, detail) -> dict:
    click, call = detail.click, detail.call
    reference = None if click.pbx_reference in ("", PLACING) else click.pbx_reference
    return {"id": click.pk, "status": click.status, "reason": click.reason, "user_number": click.user_number,
            "number_to_call": click.number_to_call, "caller_id": click.caller_id, "pbx": click.pbx.slug,
            "driver": click.driver, "pbx_reference": reference,
            "unique_call_id": call.unique_call_id if call else None,
            "connected_at": call.connected_at if call else None,
            "created_at": click.created_at, "updated_at": click.updated_at,
            "status_url": request.build_absolute_uri(reverse("v1-click-to-call-status", args=[click.pk]))}


class _OriginateApi(ApiKeyView):
    permission_classes = [CanPlaceCalls]

    def post(self, request):
        params = s.OriginateInput(data=self._fields(request))
        params.is_valid(raise_exception=True)
        data = params.validated_data
        pbx = originate_pbx_pick(account=self.account, user_number=data["user_number"].strip(),
                                 pbx_slug=data.get("pbx") or None)
        click = call_originate(account=self.account, pbx=pbx, user_number=data["user_number"],
                               number_to_call=data["number_to_call"], caller_id=data.get("caller_id") or None,
                               api_key=request.auth)
        detail = click_to_call_detail(account=self.account, click_id=click.pk)
        body = s.ClickToCallOut(click_as_dict(request, detail)).data
        response = envelope.success(body, message="Call queued", code=status.HTTP_202_ACCEPTED)
        response["Location"] = body["status_url"]
        return response

    @staticmethod
    def _fields(request) -> dict:
        # The cloud PBX's clients send a form, JSON, or (some) the query string.
        data = request.data
        if not hasattr(data, "get"):
            raise exceptions.ParseError("body: expected a JSON object or form fields")
        out = {name: request.query_params[name] for name in FIELDS if name in request.query_params}
        out.update({name: data.get(name) for name in FIELDS if data.get(name) is not None})
        return out


_DOCS = dict(
    request=s.OriginateInput, responses=ORIGINATE_RESPONSES,
    description="Checks that the user exists on the account's PBX and that the number is valid, queues the "
                "call and answers 202 with its id and status URL. A worker then asks the PBX (3CX Call "
                "Control API, Asterisk ARI or the demo simulator): the user's devices ring first, and when "
                "one answers the number is dialled. Needs the `calls:place` scope.",
    examples=[
        OpenApiExample("Request", request_only=True, value={"user_number": "101", "number_to_call": "+61355501234"}),
        OpenApiExample("Accepted", response_only=True, status_codes=["202"], value={
            "status": "success", "message": "Call queued", "code": 202, "data": ACCEPTED_EXAMPLE}),
        BAD_NUMBER,
    ],
)


class CallToNumberApi(_OriginateApi):
    @extend_schema(operation_id="integration_call_to_number", tags=["click-to-call"],
                   summary="Call a number from a user's phone (cloud PBX compatible; form or JSON)", **_DOCS)
    def post(self, request):
        return super().post(request)


class CallPlaceApi(_OriginateApi):
    @extend_schema(operation_id="calls_create", tags=["click-to-call"],
                   summary="Place a call: ring the user's phone, then dial the number", **_DOCS)
    def post(self, request):
        return super().post(request)


class CanReadOrPlaceCalls(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            return CanPlaceCalls().has_permission(request, view)  # raises the usual 401
        if not {Scope.CALLS_PLACE.value, Scope.CALLS_READ.value} & set(request.auth.scopes or []):
            raise exceptions.PermissionDenied("Forbidden: this API key lacks the calls:place scope")
        return True


class ClickToCallStatusApi(ApiKeyView):
    permission_classes = [CanReadOrPlaceCalls]

    @extend_schema(
        operation_id="calls_originate_retrieve", tags=["click-to-call"], summary="Status of a click-to-call",
        description="queued → ringing_user (the PBX took the request and rings the user's devices) → connected "
                    "(the number answered, seen in the PBX's ingested logs) or failed with a reason. Needs "
                    "`calls:place` or `calls:read`.",
        parameters=[OpenApiParameter("click_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="The id returned when the call was placed")],
        responses={200: envelope_of("ClickToCallStatus", s.ClickToCallOut(), many=False),
                   404: OpenApiResponse(ErrorEnvelope, description="No such click-to-call on this account."),
                   **ERRORS},
        examples=[OpenApiExample("Connected", response_only=True, status_codes=["200"], value={
                      "status": "success", "message": "OK", "code": 200, "data": CONNECTED_EXAMPLE}),
                  OpenApiExample("Failed", response_only=True, status_codes=["200"], value={
                      "status": "success", "message": "OK", "code": 200, "data": FAILED_EXAMPLE})],
    )
    def get(self, request, click_id: str):
        if not click_id.isdigit() or len(click_id) > 18:
            raise NotFound(f"no click-to-call {click_id[:40]} on this account")
        detail = click_to_call_detail(account=self.account, click_id=int(click_id))
        return envelope.success(s.ClickToCallOut(click_as_dict(request, detail)).data)


@csrf_exempt
def calls_root(request, *args, **kwargs):
    """``/api/v1/calls``: POST places a call, anything else is the call list's."""
    from hub.api.v1.calls.views import CallListApi  # the list is another resource's view

    view = _PLACE if request.method == "POST" else CallListApi.as_view()
    response = view(request, *args, **kwargs)
    if response.has_header("Allow"):  # OPTIONS and 405: each view lists only its own methods
        methods = [m.strip() for m in response["Allow"].split(",")]
        response["Allow"] = ", ".join(dict.fromkeys([*methods, "POST"]))
    return response


_PLACE = CallPlaceApi.as_view()
