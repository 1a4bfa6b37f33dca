"""GET /api/v1/calls (keyset-paged list) and GET /api/v1/calls/<unique_call_id> (everything about one call)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf

from hub.api import envelope
from hub.api.base import ApiKeyView
from hub.api.params import query_values
from hub.api.schema import ERRORS, ErrorEnvelope, envelope_of
from hub.api.v1.calls import serializers as s
from hub.api.v1.calls.cursor import cursor_decode, cursor_encode
from hub.selectors.call_history import call_events, call_page
from hub.selectors.calls import call_as_dict, call_get, recordings_as_list

LIST_FIELDS = ("direction", "status", "caller_number", "did", "from", "to", "user", "queue", "sort_by",
               "limit", "cursor")


def _call_out(call) -> dict:
    return call_as_dict(call) | {"pbx": call.pbx.slug, "recordings": recordings_as_list(call)}


class CallListApi(ApiKeyView):
    @extend_schema(
        operation_id="calls_list", tags=["calls"], summary="Calls of the account, newest first, cursor-paged",
        parameters=[s.CallListInput],
        responses={200: envelope_of("CallPage", s.CallOut(), extra={
            "next": drf.URLField(allow_null=True, help_text="URL of the next page; null on the last")}), **ERRORS},
    )
    def get(self, request):
        params = s.CallListInput(data=query_values(request, {name: () for name in LIST_FIELDS}))
        params.is_valid(raise_exception=True)
        newest_first = params.validated_data["sort_by"] == "newest_first"
        cursor = params.validated_data.get("cursor")
        after = cursor_decode(cursor, newest_first=newest_first) if cursor else None
        limit = params.validated_data["limit"]
        calls = call_page(account=self.account, filters=params.filters(), newest_first=newest_first,
                          limit=limit + 1, after=after)
        response = envelope.success(s.CallOut([_call_out(c) for c in calls[:limit]], many=True).data)
        response.data["next"] = self._next_url(request, calls, limit, newest_first)
        return response

    @staticmethod
    def _next_url(request, calls, limit: int, newest_first: bool) -> str | None:
        # One call more than the page was fetched: its presence says whether a next page exists.
        if len(calls) <= limit:
            return None
        last = calls[limit - 1]
        query = request.query_params.copy()
        query["cursor"] = cursor_encode(start=last.call_start_at, pk=last.pk, newest_first=newest_first)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class CallDetailApi(ApiKeyView):
    @extend_schema(
        operation_id="calls_retrieve", tags=["calls"], summary="One call with every leg, event and recording",
        parameters=[OpenApiParameter("unique_call_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="yymmddHHMMSS_N, e.g. 250301080017_874")],
        responses={200: envelope_of("CallDetail", s.CallDetailOut(), many=False),
                   404: OpenApiResponse(ErrorEnvelope, description="No such call on this account."), **ERRORS},
    )
    def get(self, request, unique_call_id: str):
        call = call_get(account=self.account, unique_call_id=unique_call_id)
        detail = _call_out(call) | {"events": call_events(call=call)}
        return envelope.success(s.CallDetailOut(detail).data)
