"""The cloud PBX's call-history endpoints: a client written for it works with the base URL and key changed.

Each view validates the query string, calls one selector and wraps the rows in the envelope.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema

from hub.api import envelope
from hub.api.base import ApiKeyView
from hub.api.integration import serializers as s
from hub.api.params import query_values, validated
from hub.api.schema import ERRORS, envelope_of
from hub.selectors.call_history import queue_call_rows, ring_group_call_rows, user_call_rows

COMMON = {"sort_by": (), "from_date": (), "to_date": (), "offset": (), "limit": (), "unique_call_id": ()}
USER_NAMES = COMMON | {"user_numbers": ("users_numbers", "users", "user_number")}

USER_ROW_EXAMPLE = {
    "unique_call_id": "250301080017_874", "type": "user_inbound_answered", "caller_id": "0393166101",
    "caller_name": "", "dest_number": "0354060753", "user_name": "José Álvarez", "user_number": "102",
    "call_start_at": "2025-03-01T08:00:17+11:00", "connected_at": "2025-03-01T08:00:42+11:00",
    "call_duration": 624, "conversation_duration": 600,
}
QUEUE_ROW_EXAMPLE = USER_ROW_EXAMPLE | {"type": "queue_call", "queue_number": "822", "queue_name": "Sales",
                                        "status": "answered", "outcome": "Serviced"}


def _docs(operation_id: str, summary: str, input_serializer, row, example: dict):
    return extend_schema(
        operation_id=operation_id, tags=["call history (cloud PBX compatible)"], summary=summary,
        parameters=[input_serializer], responses={200: envelope_of(f"{row.__class__.__name__}s", row), **ERRORS},
        examples=[OpenApiExample("Rows", response_only=True, status_codes=["200"], value={
            "status": "success", "message": "OK", "code": 200, "data": [example]})],
    )


class UserCallsApi(ApiKeyView):
    @_docs("integration_get_user_calls", "Calls per user (one row per user a call reached)",
           s.UserCallsInput, s.CallRow(), USER_ROW_EXAMPLE)
    def get(self, request):
        params = validated(s.UserCallsInput, query_values(request, USER_NAMES))
        rows = user_call_rows(account=self.account, users=params.get("user_numbers"),
                              query=s.HistoryInput.history_query(params), zones=self.pbx_zones)
        # The selector's rows are already CallRow's JSON (plain str/int/None, its keys in its
        # order): passing them through CallRow(many=True) would only copy them, field by field.
        return envelope.success(rows)


class QueueCallsApi(ApiKeyView):
    @_docs("integration_get_queue_calls", "Calls per queue (one row per time a call was in a queue)",
           s.QueueCallsInput, s.QueueCallRow(), QUEUE_ROW_EXAMPLE)
    def get(self, request):
        params = validated(s.QueueCallsInput, query_values(request, COMMON | {"queues_names": ()}))
        rows = queue_call_rows(account=self.account, queues=params.get("queues_names"),
                               query=s.HistoryInput.history_query(params))
        return envelope.success(s.QueueCallRow(rows, many=True).data)


class RingGroupCallsApi(ApiKeyView):
    @_docs("integration_get_ringgroup_calls", "Calls per ring group", s.RingGroupCallsInput, s.RingGroupCallRow(),
           USER_ROW_EXAMPLE | {"type": "ring_group_call", "ring_group_number": "830", "ring_group_name": "Reception",
                               "status": "answered", "outcome": "Serviced"})
    def get(self, request):
        params = validated(s.RingGroupCallsInput, query_values(request, COMMON | {"ringgroups_names": ()}))
        rows = ring_group_call_rows(account=self.account, ring_groups=params.get("ringgroups_names"),
                                    query=s.HistoryInput.history_query(params))
        return envelope.success(s.RingGroupCallRow(rows, many=True).data)
