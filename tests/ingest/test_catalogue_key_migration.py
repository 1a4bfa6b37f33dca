"""Catalogue events stored while their keys named the call's row id (``call<pk>:…``) take the
earliest-event form in migration 0011, so a call that advances after the upgrade sends none of
its events again."""
import pytest
from django.db.models import Value
from django.db.models.functions import Concat, StrIndex, Substr

from hub.models import CatalogueEvent, Pbx
from hub.services.ingest import events_ingest
from hub.services.ingest.advance import calls_advance
from tests.factories import make_account
from tests.ingest.samples import sample_events
from tests.schema_migrations import latest_schema_afterwards, migrate  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hub", "0010_log_dedupe_keys_lead_with_time")]


def test_row_id_keys_become_earliest_event_keys_and_nothing_is_derived_again():
    _, pbx, _ = make_account(timezone="+11:00")
    events_ingest(pbx=pbx, events=[e for stream in sample_events().values() for e in stream])
    keys = dict(CatalogueEvent.objects.filter(call__isnull=False).values_list("id", "key"))
    loose = dict(CatalogueEvent.objects.filter(call__isnull=True).values_list("id", "key"))
    assert keys and loose  # agent status changes belong to no call

    # As the hub stored them before 0011: "call<pk>:" where the anchor is.
    Event = migrate(BEFORE).get_model("hub", "CatalogueEvent")
    for call_id in set(Event.objects.filter(call__isnull=False).values_list("call_id", flat=True)):
        Event.objects.filter(call_id=call_id).update(
            key=Concat(Value(f"call{call_id}:"), Substr("key", StrIndex("key", Value(":")) + 1)))
    assert all(k.startswith("call") for k in Event.objects.filter(call__isnull=False).values_list("key", flat=True))

    migrate()  # the upgrade
    assert dict(CatalogueEvent.objects.filter(call__isnull=False).values_list("id", "key")) == keys
    assert dict(CatalogueEvent.objects.filter(call__isnull=True).values_list("id", "key")) == loose
    pbx = Pbx.objects.get(pk=pbx.pk)
    assert calls_advance(pbx, set(pbx.calls.values_list("id", flat=True))) == []
