"""The tables the ingest path writes per event carry only the indexes a query reads: every
extra index is one more B-tree insert per stored event (migration 0007)."""
import pytest
from django.db import connection

from hub.models import CatalogueEvent, StoredPbxEvent
from hub.vocabulary.pbx_event import Kind
from tests.factories import make_account


def _indexes(model) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {tuple(info["columns"]) for info in constraints.values()
            if info["index"] or (info["unique"] and not info["primary_key"])}


@pytest.mark.django_db
def test_stored_events_have_the_dedupe_key_call_time_and_orphan_indexes_only():
    assert _indexes(StoredPbxEvent) == {("pbx_id", "source", "dedupe_key"), ("call_id", "occurred_at"), ("pbx_id",)}


# Only SQLite's plan can be pinned: PostgreSQL's depends on table statistics, so on PostgreSQL
# this test does not exist (rather than being skipped, which would read as a missing service).
if connection.vendor == "sqlite":
    @pytest.mark.django_db
    def test_finding_orphan_events_reads_the_orphans_index_not_every_event_of_the_pbx():
        _, pbx, _ = make_account()
        # The query batch.py's _orphans_named runs.
        orphans = StoredPbxEvent.objects.filter(pbx=pbx, call__isnull=True).exclude(kind=Kind.AGENT_STATUS)

        assert "USING INDEX pbxevent_orphans" in orphans.values_list("id", "data").explain()


@pytest.mark.django_db
def test_catalogue_events_foreign_keys_are_served_by_composite_indexes():
    assert _indexes(CatalogueEvent) == {("pbx_id", "key"), ("account_id", "created_at"), ("call_id", "sequence")}
