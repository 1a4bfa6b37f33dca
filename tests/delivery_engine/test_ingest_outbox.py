"""The outbox is written by ingest itself: a PBX event that derives a catalogue event
becomes a delivery to every subscribed endpoint, in the same transaction."""
from datetime import timedelta

import pytest

from hub.models import Delivery, DeliveryStatus, WebhookEndpoint
from hub.services.calls import calls_close_idle
from hub.services.delivery import webhook_endpoint_create
from hub.services.ingest import events_ingest
from tests.factories import make_account
from tests.ingest.samples import sample_events


def _endpoint(account, triggers):
    endpoint, _ = webhook_endpoint_create(account=account, actor="test", url="http://127.0.0.1:9/hook",
                                          dialect="json", triggers=triggers)
    return endpoint


@pytest.mark.django_db
def test_ingested_traffic_fills_the_outbox_for_subscribed_triggers(django_capture_on_commit_callbacks):
    account, pbx, _ = make_account(timezone="+11:00")
    endpoint = _endpoint(account, ["call_received", "queue_call"])
    with django_capture_on_commit_callbacks():
        result = events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    deliveries = Delivery.objects.filter(endpoint=endpoint)
    wanted = [e for e in result.catalogue_events if e.trigger in ("call_received", "queue_call")]
    assert deliveries.count() == len(wanted) > 0
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert set(deliveries.values_list("event_id", flat=True)) == {e.pk for e in wanted}


@pytest.mark.django_db
def test_calls_closed_for_idleness_are_delivered_too():
    account, pbx, _ = make_account(timezone="+11:00")
    endpoint = _endpoint(account, ["user_inbound_completed"])
    unfinished = [e for e in sample_events()["callflow"] if e.kind != "call.terminated"]
    events_ingest(pbx=pbx, events=unfinished)
    # Only legs a transfer ended are complete so far; closing completes the rest.
    before = Delivery.objects.filter(endpoint=endpoint).count()
    newest = max(e.occurred_at for e in unfinished)
    calls_close_idle(now=newest + timedelta(seconds=pbx.idle_call_timeout + 1))
    assert Delivery.objects.filter(endpoint=endpoint, trigger="user_inbound_completed").count() > before


@pytest.mark.django_db
def test_once_the_ingest_commits_each_endpoint_with_new_deliveries_is_woken_once(
        django_capture_on_commit_callbacks, monkeypatch):
    from hub.services.delivery import enqueue
    woken = []
    monkeypatch.setattr(enqueue, "endpoints_wake", lambda ids: woken.append(sorted(ids)))
    account, pbx, _ = make_account(timezone="+11:00")
    first, second = _endpoint(account, ["call_received"]), _endpoint(account, ["queue_call"])
    off = _endpoint(account, ["call_received"])
    WebhookEndpoint.objects.filter(pk=off.pk).update(enabled=False)  # a disabled endpoint gets nothing
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
        assert woken == []  # not before the rows are committed
    assert woken == [sorted([first.pk, second.pk])]  # one message per endpoint, not per delivery


@pytest.mark.django_db
def test_a_facts_webhook_id_comes_from_the_fact_not_from_the_order_it_was_read_in():
    from hub.models import CatalogueEvent, StoredPbxEvent
    from hub.services.ingest.watermarks import EVERYTHING

    account, pbx, _ = make_account(timezone="+11:00")
    endpoint = _endpoint(account, ["call_received", "call_answered", "queue_call", "user_inbound"])
    streams = sample_events()

    def ids():
        return set(Delivery.objects.filter(endpoint=endpoint).values_list("message_id", flat=True))

    events_ingest(pbx=pbx, events=[e for stream in streams.values() for e in stream])
    first = ids()
    # Forget everything and read the sources again in another order: the CDR first, then the
    # logs a few events at a time, each batch saying how far the sources have been read.
    Delivery.objects.all().delete()
    CatalogueEvent.objects.filter(pbx=pbx).delete()
    StoredPbxEvent.objects.filter(pbx=pbx).delete()
    pbx.calls.all().delete()
    order = [("cdr", e) for e in streams["cdr"]] + [(s, e) for s in ("callflow", "queuemanager") for e in streams[s]]
    for start in range(0, len(order), 5):
        unread = [e.occurred_at for _, e in order[start + 5:]]
        events_ingest(pbx=pbx, events=[e for _, e in order[start:start + 5]],
                      watermark=min(unread) - timedelta(microseconds=1) if unread else EVERYTHING)
    assert len(first) > 10 and ids() == first
