"""Which directory entries (and names) a batch's events mention."""
from datetime import datetime, timezone

from hub.models import PbxUser, Queue, RingGroup
from hub.services.ingest.directory import _mentions
from hub.vocabulary.pbx_event import Kind, PbxEvent, Source

_AT = datetime(2025, 3, 1, 8, 42, tzinfo=timezone.utc)


def _event(kind, **data):
    return PbxEvent(source=Source.CALLFLOW, kind=kind, occurred_at=_AT, pbx_call_id="1", dedupe_key=str(data),
                    data=data, raw="")


def test_names_follow_the_fields_order_then_the_events_and_an_empty_name_erases_none():
    events = [
        _event(Kind.USER_RINGING, user="102", user_name="From ringing"),
        _event(Kind.CALL_OUTGOING, user="102", user_name="From outgoing"),
        _event(Kind.CALL_OUTGOING, user="103", user_name=" Bo "),
        _event(Kind.CALL_OUTGOING, user="103", user_name=""),
        _event(Kind.QUEUE_AGENT_RINGING, agent="104"),
        _event(Kind.CALL_ROUTED, target_type="ring_group", target="800", target_name="Support"),
        _event(Kind.QUEUE_CALL_RECEIVED, queue="822", queue_name="Sales"),
        _event(Kind.CALL_TRANSFERRED, target_type="queue", target="822", target_name=""),
        _event(Kind.CALL_FORWARDED, target_type="user", target="102", target_name="Forwarded"),
        _event(Kind.CALL_TERMINATED, user="105", user_name="Not a mention"),
    ]
    # CALL_OUTGOING comes before USER_RINGING in the fields' order, so the ringing name wins
    # over the earlier-listed outgoing one; routing comes last of all.
    assert _mentions(events) == {
        PbxUser: {"102": "Forwarded", "103": "Bo", "104": ""},
        Queue: {"822": "Sales"},
        RingGroup: {"800": "Support"},
    }
    assert _mentions(events[:2])[PbxUser] == {"102": "From ringing"}
