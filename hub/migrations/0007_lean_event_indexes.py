"""Fewer indexes on the two tables the ingest path writes most (see hub/models/events.py).

``pbxevent_pbx_callid`` is read by no query; the single-column foreign-key indexes are each the
first column of a composite index that serves the same lookups, so they only cost inserts.
``pbxevent_orphans`` holds only the events of no call that a batch looks for (few), which
SQLite otherwise found by reading every event of the PBX, in every batch.

The foreign keys change with ``db_index=False`` in the migration state, but in the database
only their index is dropped: an ``AlterField`` would make SQLite copy both tables (its way of
altering a column), which on a large event log takes minutes for nothing.
"""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

# (model, foreign-key column) whose own index goes; each leads a composite index.
FK_INDEXES = [
    ("storedpbxevent", "pbx_id"),  # pbxevent_unique_key (pbx, source, dedupe_key)
    ("storedpbxevent", "call_id"),  # pbxevent_call_time (call, occurred_at)
    ("catalogueevent", "account_id"),  # catevent_account_created (account, created_at)
    ("catalogueevent", "pbx_id"),  # catevent_unique_key (pbx, key)
    ("catalogueevent", "call_id"),  # catevent_call_seq (call, sequence)
]


def _single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [name for name, info in constraints.items()
            if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]]


def drop_fk_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for model_name, column in FK_INDEXES:
        table = apps.get_model("hub", model_name)._meta.db_table
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def create_fk_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for model_name, column in FK_INDEXES:
        table = apps.get_model("hub", model_name)._meta.db_table
        if not _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"CREATE INDEX {quote(f'{table}_{column}')} ON {quote(table)} ({quote(column)})")


def _fk(to: str, on_delete, related_name: str, *, null: bool = False):
    return models.ForeignKey(blank=null, null=null, db_index=False, on_delete=on_delete, related_name=related_name,
                             to=to)


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0006_delivery_endpoint_due"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="storedpbxevent", name="pbxevent_pbx_callid"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("storedpbxevent", "pbx", _fk("hub.pbx", django.db.models.deletion.CASCADE, "+")),
                migrations.AlterField("storedpbxevent", "call", _fk(
                    "hub.call", django.db.models.deletion.SET_NULL, "pbx_events", null=True)),
                migrations.AlterField("catalogueevent", "account", _fk(
                    "hub.account", django.db.models.deletion.CASCADE, "+")),
                migrations.AlterField("catalogueevent", "pbx", _fk("hub.pbx", django.db.models.deletion.CASCADE, "+")),
                migrations.AlterField("catalogueevent", "call", _fk(
                    "hub.call", django.db.models.deletion.CASCADE, "catalogue_events", null=True)),
            ],
            database_operations=[migrations.RunPython(drop_fk_indexes, create_fk_indexes)],
        ),
        # After the foreign-key indexes went: drop_fk_indexes would take this one for pbx's own.
        migrations.AddIndex(
            model_name="storedpbxevent",
            index=models.Index(fields=["pbx"], condition=Q(call__isnull=True) & ~Q(kind="agent.status"),
                               name="pbxevent_orphans"),
        ),
    ]
