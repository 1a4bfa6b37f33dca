"""A call's legs_digest stands in for its stored legs: a push compares digests instead of
reading the leg tables back, and a call without a digest (stored before it existed, or
cleared by a data fix) gets all its legs rewritten from its events."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hub.models import Call, QueueLeg, UserLeg
from hub.services.ingest import events_ingest
from hub.services.ingest.advance import calls_advance
from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import parse_text
from tests.factories import make_account
from tests.ingest.hub_processes import TZ
from tests.ingest.test_fast_storage import CALLFLOW, QUEUE


def _legs():
    return (list(UserLeg.objects.order_by("position").values_list("user", "status", "answered_at", "ended_at")),
            list(QueueLeg.objects.order_by("position").values_list("queue", "qcid", "status", "agent")))


def _ingest_in_two_pushes():
    _, pbx, _ = make_account(timezone="+11:00")
    callflow = parse_text(CALLFLOW, tz=TZ, source=Source.CALLFLOW).events
    queue = parse_text(QUEUE, tz=TZ, source=Source.QUEUEMANAGER).events
    events_ingest(pbx=pbx, events=[*callflow[:3], *queue])
    return pbx, callflow[3:]


@pytest.mark.django_db
def test_a_push_reads_no_leg_table_back():
    pbx, rest = _ingest_in_two_pushes()
    with CaptureQueriesContext(connection) as queries:
        events_ingest(pbx=pbx, events=rest)
    reads = [q["sql"].lower() for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert [sql for sql in reads if "leg" in sql or "\"hub_recording\"" in sql] == []
    assert [u for u, *_ in _legs()[0]] == ["102", "104"]  # the second push's ringing user landed
    assert len(Call.objects.get().legs_digest) == 64


@pytest.mark.django_db
def test_a_call_without_digest_gets_its_legs_rewritten_from_its_events():
    pbx, rest = _ingest_in_two_pushes()
    events_ingest(pbx=pbx, events=rest)
    expected = _legs()
    assert expected[0] and expected[1]

    # Legs as an older hub (or a botched data fix) left them, with no digest to vouch for them.
    UserLeg.objects.update(status="stale")
    QueueLeg.objects.all().delete()
    Call.objects.update(legs_digest="")
    with transaction.atomic():
        calls_advance(pbx, set(Call.objects.values_list("pk", flat=True)))
    assert _legs() == expected
    assert Call.objects.get().legs_digest != ""
