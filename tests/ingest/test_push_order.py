"""Pushes out of order: the native JSON push and the CDR socket deliver a PBX's traffic in
whatever order its retries make (a timeout, a database outage), in any batching, alone or
beside a followed CDR file. Within the lateness allowance (settings.PUSH_LATENESS_SECONDS) the
catalogue is the one the same pushes in event-time order give: the same keys and payloads
(hub.services.ingest.watermarks). A fact later than that is written down in docs/ingest.md
and tested at the end."""
import itertools
import random
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone as dj_timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.api.ingest import views as ingest_views
from hub.db_outage import NOTED, RETRY_AFTER_SECONDS, database_failure_noted
from hub.models import Call, CatalogueEvent, DatabaseOutage, IngestSource, Pbx, SourceKind
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from hub.services.ingest import follow
from hub.services.ingest.cdr_socket import cdr_record_ingest
from hub.services.ingest.flush import catalogue_flush, catalogue_flush_stalled
from hub.services.ingest.follow import decoder_for
from hub.services.ingest.imports import KINDS
from hub.services.ingest.watermarks import push_lateness
from hub.services import outages
from hub.services.outages import outage_record_pending
from hub.tasks import flush_catalogue
from tests.api.push import push_json
from tests.factories import make_account
from tests.ingest.traffic import catalogue, cdr_lines, native_push, traffic_write, triggers, within_lateness

SEEDS = (21, 22)
N_CALLS = 30
_slugs = itertools.count()
_traffic: dict[int, tuple[dict, dict, dict]] = {}


def _pbx():
    _, pbx, token = make_account(f"push{next(_slugs)}", timezone="+11:00")
    return pbx, token


def _pushes(pbx, files, *, with_cdr: bool) -> list[tuple]:
    """The traffic as pushes: (event time, "native", push body) for the logs' events and
    (event time, "cdr", line) for the CDR's records, sent to the CDR socket."""
    logs = [event for kind in ("callflow", "queuemanager")
            for event in decoder_for(IngestSource(pbx=pbx, kind=KINDS[kind])).decode(
                files[kind].read_bytes(), 0, final=True).events]
    pushes = [(event.occurred_at, "native", native_push(event)) for event in logs]
    return pushes + ([(at, "cdr", line) for at, line in cdr_lines(pbx, files["cdr"])] if with_cdr else [])


class Sender:
    """A PBX's pushes: native JSON over HTTP (Django's test client), CDR lines as the CDR
    socket server hands them to ingest (its thread's connection handling left out: it would
    close the test's transaction)."""

    def __init__(self, pbx, token):
        self.pbx, self.token, self.client = pbx, token, Client()
        IngestSource.objects.create(pbx=pbx, kind=SourceKind.CDR_SOCKET, port=15060)
        self.socket = IngestSource.objects.select_related("pbx").get(pbx=pbx, kind=SourceKind.CDR_SOCKET)

    def send(self, batch: list[tuple]) -> None:
        bodies = [body for _, how, body in batch if how == "native"]
        if bodies:
            response = push_json(self.client, self.token, bodies)
            assert response.status_code == 202, response.content
        for _, how, line in batch:
            if how == "cdr":
                cdr_record_ingest(source=self.socket, line=line)


def _reference(seed: int):
    """The seed's files and the catalogue of its pushes sent one by one in event-time order."""
    if seed not in _traffic:
        files = traffic_write(Path(tempfile.mkdtemp(prefix="hub-push-")), n_calls=N_CALLS, seed=seed)
        pbx, token = _pbx()
        sender = Sender(pbx, token)
        for push in sorted(_pushes(pbx, files, with_cdr=True), key=lambda p: p[0]):
            sender.send([push])
        catalogue_flush(pbx=pbx)  # the PBX went quiet: the beat task lets the rest out
        _traffic[seed] = files, catalogue(pbx), triggers(pbx)
    return _traffic[seed]


def _batches(items: list, rng: random.Random, most: int) -> list[list]:
    out, start = [], 0
    while start < len(items):
        size = rng.randint(1, most)
        out.append(items[start:start + size])
        start += size
    return out


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), order=st.integers(0, 2**32), cdr_via=st.sampled_from(["socket", "file"]))
@example(seed=SEEDS[0], order=7, cdr_via="socket")  # each way of the CDR, whatever hypothesis draws
@example(seed=SEEDS[1], order=7, cdr_via="file")
def test_pushes_in_any_order_within_the_lateness_give_the_in_order_catalogue(seed, order, cdr_via):
    # One integer draws the whole delivery (order, batches, follower reads between them).
    rng = random.Random(order)
    files, reference, counts = _reference(seed)
    pbx, token = _pbx()
    sender = Sender(pbx, token)
    pushes = within_lateness(_pushes(pbx, files, with_cdr=cdr_via == "socket"), lambda p: p[0], push_lateness(), rng)
    follower = None
    if cdr_via == "file":  # the CDR followed as a file, read in small pieces between pushes
        source = IngestSource.objects.create(pbx=pbx, kind=SourceKind.CDR_FILE, path=str(files["cdr"]))
        follower = follow.SourceFollower(IngestSource.objects.select_related("pbx").get(pk=source.pk))
    with mock.patch.object(follow, "MAX_BYTES", rng.randint(200, 4000)):
        for batch in _batches(pushes, rng, rng.choice([1, 5, 40])):
            sender.send(batch)
            if follower is not None and rng.random() < 0.3:
                follower.poll()
        while follower is not None and IngestSource.objects.filter(pk=source.pk, behind=True).exists():
            follower.poll()
    if follower is not None:
        follower.close()
    catalogue_flush(pbx=pbx)

    assert catalogue(pbx) == reference
    assert counts["call_received"] > 5 and counts["user_inbound_completed"] > 5


class Timeline:
    """A PBX pushing as it goes (its clock ``skew`` off the hub's) to a hub whose database goes
    away from wall-clock ``down`` to ``up``: every push and CDR record is sent at its event time
    plus the skew plus less than the allowance (the sender's reordering), the beat task runs
    every 15 s, and the hub's wall clock (django.utils.timezone.now) follows the timeline.
    During the outage pushes get 503 (the first query of the request fails, as when PostgreSQL
    is gone) and the beat task's runs fail; the sender retries each refused push once the
    database is back, within the Retry-After the 503 gave and the allowance, in random order
    among the pushes that go on; the CDR socket's records wait in ingest, which stores them
    in order once the database answers."""

    BEAT = timedelta(seconds=15)

    def __init__(self, sender: Sender, rng: random.Random, *, skew: timedelta):
        self.sender, self.rng, self.skew = sender, rng, skew
        self.now = None

    def clock(self):
        return self.now

    def run(self, pushes: list[tuple], *, down: float, seconds: float) -> int:
        """Sends ``pushes`` with an outage starting at the send time of the ``down`` fraction
        of them, lasting ``seconds``; returns how many sends the outage refused."""
        lateness, retry_after = push_lateness(), timedelta(seconds=RETRY_AFTER_SECONDS)
        sends = sorted(((at + self.skew + lateness * self.rng.random(), how, body) for at, how, body in pushes),
                       key=lambda send: send[0])
        start = sends[int(len(sends) * down)][0]
        end = start + timedelta(seconds=seconds)
        actions, refused, held_cdr = [], 0, []
        for at, how, body in sends:
            if not start <= at < end:
                actions.append((at, how, body))
            elif how == "native":  # refused: the sender retries it after the outage
                refused += 1
                actions += [(at, "refused", None),
                            (end + (retry_after + lateness) * self.rng.random(), "native", body)]
            else:
                held_cdr.append(body)  # off the socket, waiting in ingest for the database
        actions.append((end + timedelta(seconds=5 * self.rng.random()), "cdr_held", held_cdr))
        first, last = min(a[0] for a in actions), max(a[0] for a in actions)
        tick = first
        while tick < last + timedelta(minutes=3):
            actions.append((tick, "beat", None))
            tick += self.BEAT
        actions.sort(key=lambda action: action[0])
        with mock.patch("django.utils.timezone.now", self.clock), \
                mock.patch("hub.api.ingest.views.pbx_for_ingest_token",
                           self._outage_or(start, end, ingest_views.pbx_for_ingest_token)), \
                mock.patch("hub.services.outages.outage_record", self._outage_or(start, end, outages.outage_record)):
            for at, what, body in actions:
                self.now = at.astimezone(timezone.utc)
                self._do(what, body, down=start <= at < end)
        return refused

    def _outage_or(self, start, end, real):
        """``real``, but failing as a query fails while the database is down."""
        def query(**kwargs):
            if start <= self.now < end:
                raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")
            return real(**kwargs)
        return query

    def _do(self, what: str, body, *, down: bool) -> None:
        if what == "native":
            self.sender.send([(None, "native", body)])
        elif what == "cdr":  # ingest records an outage it waited out before it stores a record
            outage_record_pending()
            self.sender.send([(None, "cdr", body)])
        elif what == "refused":
            response = push_json(self.sender.client, self.sender.token, [body] if body else [])
            assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        elif what == "cdr_held":  # the ingest process's retry: the outage first, then the records
            outage_record_pending()
            self.sender.send([(None, "cdr", line) for line in body])
        elif down:  # the beat task's run meets the outage in the worker
            database_failure_noted()
        else:
            flush_catalogue()


@pytest.fixture
def no_outage_noted():
    NOTED.failed_at = None
    yield
    NOTED.failed_at = None


@pytest.mark.django_db
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(SEEDS), order=st.integers(0, 2**32), down=st.floats(0.1, 0.8),
       seconds=st.integers(31, 600), skew=st.integers(-120, 120))
@example(seed=SEEDS[0], order=3, down=0.4, seconds=60, skew=0)  # the chaos test's minute
@example(seed=SEEDS[1], order=5, down=0.3, seconds=600, skew=-90)  # ten minutes, a PBX clock behind
def test_an_outage_of_any_length_with_pushes_retried_after_it_gives_the_in_order_catalogue(
        no_outage_noted, seed, order, down, seconds, skew):
    rng = random.Random(order)
    files, reference, _ = _reference(seed)
    DatabaseOutage.objects.all().delete()  # an earlier example's outage is another time
    pbx, token = _pbx()
    timeline = Timeline(Sender(pbx, token), rng, skew=timedelta(seconds=skew))
    refused = timeline.run(_pushes(pbx, files, with_cdr=True), down=down, seconds=seconds)
    catalogue_flush(pbx=pbx)

    assert refused > 0 and DatabaseOutage.objects.count() == 1
    assert catalogue(pbx) == reference  # the same events, keys and payloads as without the outage


def _completions_of(pbx, dedupe_keys: list[str]) -> list[tuple[Call, dict]]:
    """user_inbound_completed of the calls these stored events belong to, with their call."""
    calls = {call.pk: call for call in Call.objects.filter(pbx_events__dedupe_key__in=dedupe_keys).distinct()}
    by_id = {call.unique_call_id: call for call in calls.values()}
    return [(by_id[e.payload["unique_call_id"]], e.payload) for e in CatalogueEvent.objects.filter(
        pbx=pbx, trigger="user_inbound_completed") if e.payload["unique_call_id"] in by_id]


@pytest.mark.django_db
def test_pushes_retried_out_of_order_after_an_outage_lose_no_event_and_completions_carry_the_truth():
    files, reference, _ = _reference(SEEDS[0])
    pbx, token = _pbx()
    sender = Sender(pbx, token)
    pushes = sorted(_pushes(pbx, files, with_cdr=True), key=lambda p: p[0])
    # The hub refused the pushes of the last half-minute before ``back`` (its database was
    # down); the first push after the outage goes through, then the sender retries the
    # refused ones, newest first, then the traffic goes on.
    first_back = len(pushes) // 3
    back = pushes[first_back]
    window = back[0] - push_lateness() + timedelta(seconds=1)
    refused = [p for p in pushes[:first_back] if p[0] > window]
    for push in pushes[:first_back]:
        if push not in refused:
            sender.send([push])
    sender.send([back])
    for push in reversed(refused):
        sender.send([push])
    for push in pushes[first_back + 1:]:
        sender.send([push])
    catalogue_flush(pbx=pbx)

    assert len(refused) > 10
    assert catalogue(pbx) == reference  # no event lost, none different
    # The calls the outage touched: each completion says whether and when its leg was
    # answered and who called, as the stored call does.
    completions = _completions_of(pbx, [p[2]["id"] for p in refused if p[1] == "native"])
    assert any(payload["connected_at"] for _, payload in completions)
    for call, payload in completions:
        assert payload["caller_id"] == call.caller_number != ""
        connected = payload["connected_at"] and datetime.fromisoformat(payload["connected_at"])
        legs = call.user_legs.filter(user=payload["user_number"])
        assert connected in {leg.answered_at and leg.answered_at.replace(microsecond=0) for leg in legs}


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=11)))


def _native(event_id: str, kind: str, seconds: float, call: str = "901", **data) -> dict:
    return {"id": event_id, "kind": kind, "occurred_at": (T0 + timedelta(seconds=seconds)).isoformat(),
            "pbx_call_id": call, "data": data}


def _sent(pbx, call: Call) -> dict[str, tuple[str, dict]]:
    return {e.key: (e.trigger, e.payload) for e in CatalogueEvent.objects.filter(pbx=pbx, call=call)}


@pytest.mark.django_db
def test_a_fact_later_than_the_lateness_sends_its_own_events_and_changes_nothing_sent():
    account, pbx, token = make_account("late", timezone="+11:00")
    allowed_network_add(account=account, address="127.0.0.1")
    _, key = api_key_create(account=account, name="crm")
    client = Client()
    for push in (_native("in", "call.incoming", 0, caller_number="+61390001234", did="+61386001000"),
                 _native("ring", "user.ringing", 1, user="102"),
                 _native("end", "call.terminated", 60, reason="TerminatedBySrc"),
                 # The PBX goes on: another call's push well past the first one's end (and its
                 # completion's SETTLE and the lateness) lets the completion out.
                 _native("next", "call.incoming", 200, call="902", caller_number="+61390005555")):
        assert push_json(client, token, push).status_code == 202
    call = Call.objects.get(pbx=pbx, pbx_call_id="901")
    sent = _sent(pbx, call)
    [completed] = [payload for trigger, payload in sent.values() if trigger == "user_inbound_completed"]
    assert completed["connected_at"] is None  # all that was known within the lateness

    # The answer, retried minutes after its call's completion went out.
    assert push_json(client, token, _native("answer", "call.answered", 8, user="102")).status_code == 202

    after = _sent(pbx, call)
    assert {k: v for k, v in after.items() if k in sent} == sent  # nothing sent is sent again or changed
    new = {trigger: payload for key, (trigger, payload) in after.items() if key not in sent}
    assert list(new) == ["user_inbound_answered"]  # the late fact, on its own
    assert new["user_inbound_answered"]["connected_at"] == (T0 + timedelta(seconds=8)).isoformat()
    # The call itself is the whole truth.
    response = client.get(f"/api/v1/calls/{call.unique_call_id}", HTTP_TOKEN=key)
    assert response.status_code == 200, response.content
    assert datetime.fromisoformat(response.json()["data"]["connected_at"]) == T0 + timedelta(seconds=8)


@pytest.mark.django_db
def test_a_late_first_event_does_not_send_its_calls_events_again_under_new_keys():
    _, pbx, token = make_account("early", timezone="+11:00")
    client = Client()
    for push in (_native("ring", "user.ringing", 1, user="102"), _native("answer", "call.answered", 8, user="102"),
                 _native("end", "call.terminated", 60, reason="TerminatedBySrc"),
                 _native("next", "call.incoming", 200, call="902", caller_number="+61390005555")):
        assert push_json(client, token, push).status_code == 202
    call = Call.objects.get(pbx=pbx, pbx_call_id="901")
    sent = _sent(pbx, call)
    assert "user_inbound_completed" in {trigger for trigger, _ in sent.values()}

    # The call's first event, earlier than all of them, retried after they went out.
    assert push_json(client, token, _native("in", "call.incoming", 0, caller_number="+61390001234")).status_code == 202

    after = _sent(pbx, call)
    assert {k: v for k, v in after.items() if k in sent} == sent
    assert [trigger for key, (trigger, _) in after.items() if key not in sent] == []
    call.refresh_from_db()
    assert call.caller_number == "+61390001234"


@pytest.mark.django_db
def test_between_pushes_the_beat_moves_a_quiet_push_stream_on_with_the_wall_clock():
    _, pbx, token = make_account("quiet", timezone="+11:00")
    client, now = Client(), dj_timezone.now()
    # A missed call pushed as it happens, and then nothing more from the PBX.
    for seconds, push in ((-3, _native("in", "call.incoming", 0, caller_number="+61390001234")),
                          (-2, _native("ring", "user.ringing", 0, user="102")),
                          (-1, _native("end", "call.terminated", 0, reason="NoAnswer"))):
        push["occurred_at"] = (now + timedelta(seconds=seconds)).isoformat()
        assert push_json(client, token, push).status_code == 202
    pushed_at = Pbx.objects.get(pk=pbx.pk).pushed_at

    def sent() -> set[str]:
        return set(CatalogueEvent.objects.filter(pbx=pbx).values_list("trigger", flat=True))

    assert sent() == set()  # a retry of an earlier push may still come
    catalogue_flush_stalled(now=pushed_at + timedelta(seconds=20))
    assert sent() == set()  # 20 s on, a push 30 s late could still be on its way
    # Less than the flush's grace later, the lateness and the completion's SETTLE have passed.
    assert catalogue_flush_stalled(now=pushed_at + timedelta(seconds=45)) > 0
    assert {"user_inbound", "user_inbound_completed"} <= sent()


@pytest.mark.django_db
def test_a_quiet_push_stream_holds_its_events_as_long_as_the_allowance_says(settings):
    settings.PUSH_LATENESS_SECONDS = 120  # longer than the minute after which a stream is quiet
    _, pbx, token = make_account("patient", timezone="+11:00")
    client, now = Client(), dj_timezone.now()
    for seconds, push in ((-2, _native("in", "call.incoming", 0, caller_number="+61390001234")),
                          (-1, _native("ring", "user.ringing", 0, user="102"))):
        push["occurred_at"] = (now + timedelta(seconds=seconds)).isoformat()
        assert push_json(client, token, push).status_code == 202
    pushed_at = Pbx.objects.get(pk=pbx.pk).pushed_at

    for after in (30, 60, 90):  # a push up to two minutes late may still come
        catalogue_flush_stalled(now=pushed_at + timedelta(seconds=after))
        assert not CatalogueEvent.objects.filter(pbx=pbx).exists()
    catalogue_flush_stalled(now=pushed_at + timedelta(seconds=125))
    assert CatalogueEvent.objects.filter(pbx=pbx, trigger="user_inbound").exists()
