"""A database outage longer than the lateness allowance: the pushes it refused come back as
retries after fresh ones went through, and the hub's processes each saw it on their own
(hub.services.outages). Its hold keeps the push watermark where it stood until the retries
are in, so completions carry the answered truth; the beat task counts no outage as quiet time."""
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from hub.api.ingest import views as ingest_views
from hub.db_outage import NOTED, RETRY_AFTER_SECONDS
from hub.models import CatalogueEvent, DatabaseOutage, Pbx
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.flush import catalogue_flush_stalled
from hub.services import outages
from hub.services.outages import outage_record
from hub.tasks import flush_catalogue
from integrations.native_json import parse_native_push
from tests.api.push import push_json
from tests.factories import make_account

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=11)))


def _native(event_id: str, kind: str, seconds: float, call: str = "901", **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": (T0 + timedelta(seconds=seconds)).isoformat(),
            "pbx_call_id": call, "data": data}


class Hub:
    """The hub's wall clock (the PBX's, here) and its database, which can be made unavailable
    to the push view as when PostgreSQL is gone."""

    def __init__(self, token: str):
        self.token, self.client, self.now, self.down = token, Client(), T0, False
        self._patches = [mock.patch("django.utils.timezone.now", lambda: self.now),
                         mock.patch("hub.api.ingest.views.pbx_for_ingest_token",
                                    self._unless_down(ingest_views.pbx_for_ingest_token)),
                         mock.patch("hub.services.outages.outage_record", self._unless_down(outages.outage_record))]

    def _unless_down(self, real):
        def query(**kwargs):
            if self.down:
                raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")
            return real(**kwargs)
        return query

    def __enter__(self):
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()

    def at(self, seconds: float) -> "Hub":
        self.now = T0 + timedelta(seconds=seconds)
        return self

    def push(self, body) -> int:
        return push_json(self.client, self.token, body).status_code


@pytest.fixture(autouse=True)
def no_outage_noted():
    NOTED.failed_at = None
    yield
    NOTED.failed_at = None


def _completed(pbx) -> list[dict]:
    return [e.payload for e in CatalogueEvent.objects.filter(pbx=pbx, trigger="user_inbound_completed")]


@pytest.mark.django_db
def test_after_a_two_minute_outage_the_retried_answer_is_in_the_completion_a_fresh_push_did_not_let_out():
    _, pbx, token = make_account("outage", timezone="+11:00")
    with Hub(token) as hub:
        assert hub.at(0).push(_native("in", "call.incoming", 0, caller_number="+61390001234")) == 202
        assert hub.at(1).push(_native("ring", "user.ringing", 1, user="102")) == 202
        flush_catalogue()  # the beat task, every 15 s
        hub.down = True  # PostgreSQL goes away for two minutes
        for seconds, push in ((8, _native("answer", "call.answered", 8, user="102")),
                              (60, _native("end", "call.terminated", 60, reason="TerminatedBySrc"))):
            response = push_json(hub.at(seconds).client, token, push)
            assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert NOTED.failed_at == T0 + timedelta(seconds=8)
        hub.down = False
        # Back at 2:05. The PBX's next call comes before the retries: far past the refused
        # pushes and the allowance, it would have let the first call's completion out.
        assert hub.at(125).push(_native("next", "call.incoming", 125, call="902", caller_number="+61390005555")) == 202
        [outage] = DatabaseOutage.objects.all()
        assert (outage.started_at, outage.ended_at) == (T0 + timedelta(seconds=8), T0 + timedelta(seconds=125))
        assert NOTED.failed_at is None
        hub.at(130)
        flush_catalogue()
        assert _completed(pbx) == []  # held: the retries may still come
        # The sender retries the refused pushes after the Retry-After.
        assert hub.at(138).push(_native("end", "call.terminated", 60, reason="TerminatedBySrc")) == 202
        assert hub.at(139).push(_native("answer", "call.answered", 8, user="102")) == 202
        for seconds in (145, 160, 175, 190, 205, 220):
            hub.at(seconds)
            flush_catalogue()
    [completed] = _completed(pbx)
    assert completed["connected_at"] == (T0 + timedelta(seconds=8)).isoformat()
    assert completed["caller_id"] == "+61390001234"
    assert CatalogueEvent.objects.filter(pbx=pbx, trigger="user_inbound_answered").count() == 1


@pytest.mark.django_db
def test_processes_that_saw_one_outage_record_it_once_and_a_later_failure_is_another():
    _, pbx, token = make_account("procs", timezone="+11:00")
    with Hub(token) as hub:
        assert hub.at(0).push(_native("in", "call.incoming", 0, caller_number="+61390001234")) == 202
        flush_catalogue()
    Pbx.objects.filter(pk=pbx.pk).update(watermark_at=T0 - timedelta(seconds=30))
    at = lambda seconds: T0 + timedelta(seconds=seconds)  # noqa: E731

    # A web worker answered 503 from 0:10 and reached the database again at 1:10; a second one
    # failed first at 0:05 and got through at 1:20; the ingest process failed at 1:00 and
    # came back at 1:12. One outage, from the earliest failure, ended when the first came back.
    first = outage_record(failed_at=at(10), reachable_at=at(70))
    Pbx.objects.filter(pk=pbx.pk).update(watermark_at=T0)  # a fresh push after it moved on
    outage_record(failed_at=at(5), reachable_at=at(80))
    outage_record(failed_at=at(60), reachable_at=at(72))
    [outage] = DatabaseOutage.objects.all()
    assert (outage.pk, outage.started_at, outage.ended_at, outage.noted_by) == (first.pk, at(5), at(70), 3)
    pbx.refresh_from_db()
    # Held where it stood when the first process recorded it, until the retries are in.
    assert pbx.push_held_at == T0 - timedelta(seconds=30)
    assert pbx.push_resumed_at == at(70 + RETRY_AFTER_SECONDS)

    # A push refused after the first process found the database back (a dead kept
    # connection): its own outage, and the PBX is held again until its retry is in.
    outage_record(failed_at=at(100), reachable_at=at(101))
    assert DatabaseOutage.objects.count() == 2
    pbx.refresh_from_db()
    assert pbx.push_resumed_at == at(101 + RETRY_AFTER_SECONDS)
    # A process that saw the first outage and comes back to the database long after the
    # retries are in joins it and holds nothing any more.
    outage_record(failed_at=at(20), reachable_at=at(900))
    assert DatabaseOutage.objects.count() == 2
    pbx.refresh_from_db()
    assert pbx.push_resumed_at == at(101 + RETRY_AFTER_SECONDS)


@pytest.mark.django_db
def test_the_beat_task_does_not_take_an_outage_for_a_silent_source():
    _, pbx, _ = make_account("stall", timezone="+11:00")
    events = parse_native_push([_native("in", "call.incoming", 0, caller_number="+61390001234"),
                                _native("ring", "user.ringing", 1, user="102")])
    now = datetime.now(timezone.utc)
    with mock.patch("django.utils.timezone.now", lambda: now):
        # An import that has read up to before these events: they wait for the rest of it.
        events_ingest(pbx=pbx, events=events, watermark=T0 - timedelta(seconds=1))
    assert not CatalogueEvent.objects.filter(pbx=pbx).exists()
    outage_record(failed_at=now + timedelta(seconds=5), reachable_at=now + timedelta(seconds=100))

    # The watermark has stood still for longer than FLUSH_GRACE, but the database was down
    # for most of it: no source has been silent for a minute since it came back.
    assert catalogue_flush_stalled(now=now + timedelta(seconds=110)) == 0
    assert catalogue_flush_stalled(now=now + timedelta(seconds=161)) > 0
    assert CatalogueEvent.objects.filter(pbx=pbx, trigger="user_inbound").exists()
