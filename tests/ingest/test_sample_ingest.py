"""The shared sample through the real ingest service and database, in several arrival orders."""
import random

import pytest

from hub.models import Call, CatalogueEvent, PbxUser, Queue, StoredPbxEvent
from hub.selectors.calls import call_as_dict, calls_with_legs
from hub.services.ingest import events_ingest
from tests.factories import make_account
from tests.ingest.samples import expected_calls, sample_events


def _ingest_in_batches(pbx, events, size):
    for start in range(0, len(events), size):
        events_ingest(pbx=pbx, events=events[start:start + size])


def _stored_calls(pbx) -> dict[str, dict]:
    calls = calls_with_legs(Call.objects.filter(pbx=pbx))
    return {c.unique_call_id: call_as_dict(c) for c in calls}


def _assert_matches_expected(pbx):
    stored = _stored_calls(pbx)
    expected = {c["unique_call_id"]: c for c in expected_calls()}
    assert sorted(stored) == sorted(expected)
    for uid, call in expected.items():
        assert stored[uid] == call, uid


ORDERS = {
    "callflow, queue, cdr": ("callflow", "queuemanager", "cdr"),
    "cdr first, queue before callflow": ("cdr", "queuemanager", "callflow"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("order", ORDERS, ids=list(ORDERS))
def test_sample_ingests_to_exactly_the_expected_calls(order):
    _, pbx, _ = make_account(timezone="+11:00")
    events = sample_events()
    for stream in ORDERS[order]:
        _ingest_in_batches(pbx, events[stream], 97)
    _assert_matches_expected(pbx)


@pytest.mark.django_db
def test_shuffled_and_repeated_batches_give_the_same_calls():
    _, pbx, _ = make_account(timezone="+11:00")
    events = [e for stream in sample_events().values() for e in stream]
    shuffled = random.Random(7).sample(events, len(events))
    _ingest_in_batches(pbx, shuffled, 50)
    _ingest_in_batches(pbx, events, 500)  # every event again: nothing may change
    assert StoredPbxEvent.objects.filter(pbx=pbx).count() == len({(e.source, e.dedupe_key) for e in events})
    _assert_matches_expected(pbx)


@pytest.mark.django_db
def test_reingesting_adds_nothing():
    _, pbx, _ = make_account(timezone="+11:00")
    events = [e for stream in sample_events().values() for e in stream]
    first = events_ingest(pbx=pbx, events=events)
    counts = (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count())
    again = events_ingest(pbx=pbx, events=events)
    assert first.stored == len(events) and again.stored == 0 and again.duplicates == len(events)
    assert again.catalogue_events == []
    assert (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count()) == counts


@pytest.mark.django_db
def test_directory_learns_users_and_queues_from_traffic():
    _, pbx, _ = make_account(timezone="+11:00")
    events_ingest(pbx=pbx, events=sample_events()["callflow"])
    assert PbxUser.objects.get(pbx=pbx, number="102").name == "José Álvarez"
    assert Queue.objects.get(pbx=pbx, number="822").name == "Sales"


@pytest.mark.django_db
def test_admin_edited_name_is_not_overwritten_by_traffic():
    _, pbx, _ = make_account(timezone="+11:00")
    PbxUser.objects.create(pbx=pbx, number="102", name="Pepe (front desk)", edited_by_admin=True)
    events_ingest(pbx=pbx, events=sample_events()["callflow"])
    assert PbxUser.objects.get(pbx=pbx, number="102").name == "Pepe (front desk)"


@pytest.mark.django_db
def test_user_legs_store_when_each_users_part_ended():
    from hub.models import UserLeg

    _, pbx, _ = make_account(timezone="+11:00")
    events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    legs = UserLeg.objects.filter(pbx=pbx).select_related("call")
    assert legs.exists()
    for leg in legs:
        assert leg.ended_at is not None and leg.ended_at <= leg.call.ended_at
        if leg.transfer == "" and leg.answered_at and not UserLeg.objects.filter(call=leg.call, transfer__in=["Blind", "Attended"]).exists():
            assert leg.ended_at == leg.call.ended_at
