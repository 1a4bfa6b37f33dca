"""Input and output of the cloud PBX's call-history endpoints (formats.md §5)."""
from __future__ import annotations

from rest_framework import serializers

from hub.api.params import CommaList, Day, QueryText, choice, whole_number
from hub.selectors.call_history import HistoryQuery

MAX_LIMIT = 10000


class HistoryInput(serializers.Serializer):
    sort_by = choice(["newest_first", "oldest_first"], default="newest_first", help_text="Order by start time.")
    from_date = Day(required=False, help_text="First day, YYYY-MM-DD, in the PBX's time zone.")
    to_date = Day(required=False, help_text="Last day (inclusive), YYYY-MM-DD, in the PBX's time zone; "
                                                  "not before from_date.")
    offset = whole_number(min_value=0, max_value=10**9, default=0, help_text="Rows to skip.")
    limit = whole_number(min_value=1, max_value=MAX_LIMIT, default=100, help_text="Rows to return (at most 10000).")
    unique_call_id = QueryText(required=False, max_length=40, help_text="Only this call (yymmddHHMMSS_N).")

    def validate(self, attrs):
        if attrs.get("from_date") and attrs.get("to_date") and attrs["to_date"] < attrs["from_date"]:
            raise serializers.ValidationError({"to_date": "must not be before from_date"})
        return attrs

    @staticmethod
    def history_query(data: dict) -> HistoryQuery:
        return HistoryQuery(from_date=data.get("from_date"), to_date=data.get("to_date"),
                            newest_first=data["sort_by"] == "newest_first", offset=data["offset"],
                            limit=data["limit"], unique_call_id=data.get("unique_call_id") or None)


class UserCallsInput(HistoryInput):
    user_numbers = CommaList(required=False, item_max_length=32, help_text=(
        "Extensions, comma-separated (also accepted as `users_numbers`, `users` or `user_number`); "
        "all users when omitted."))


class QueueCallsInput(HistoryInput):
    queues_names = CommaList(required=False, item_max_length=200,
                             help_text="Queues by number or name, comma-separated (`822,Support`); all when omitted.")


class RingGroupCallsInput(HistoryInput):
    ringgroups_names = CommaList(required=False, item_max_length=200,
                                 help_text="Ring groups by number or name, comma-separated; all when omitted.")


class CallRow(serializers.Serializer):
    unique_call_id = serializers.CharField()
    type = serializers.CharField(help_text="user_inbound_answered, user_inbound_missed, user_outbound_answered, "
                                           "user_outbound_unanswered; queue_call; ring_group_call")
    caller_id = serializers.CharField()
    caller_name = serializers.CharField()
    dest_number = serializers.CharField()
    user_name = serializers.CharField()
    user_number = serializers.CharField()
    call_start_at = serializers.CharField(help_text="ISO 8601 in the PBX's time zone")
    connected_at = serializers.CharField(allow_null=True)
    call_duration = serializers.IntegerField(allow_null=True, help_text="seconds, ring + talk")
    conversation_duration = serializers.IntegerField(allow_null=True, help_text="seconds of talk")


class QueueCallRow(CallRow):
    queue_number = serializers.CharField()
    queue_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["answered", "abandoned"])
    outcome = serializers.CharField(help_text="3CX's reason: Serviced, Abandoned, Callback requested, Transferred, "
                                              "Timeout, …; Serviced or Abandoned where the PBX gave none.")


class RingGroupCallRow(CallRow):
    ring_group_number = serializers.CharField()
    ring_group_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["answered", "abandoned"])
    outcome = serializers.CharField(help_text="The queues' words (a ring group has no reason of its own): "
                                              "Serviced (answered) or Abandoned.")
