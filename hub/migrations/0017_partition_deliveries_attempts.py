"""PostgreSQL: deliveries and attempts become weekly range-partitioned tables, every row kept
(hub.services.partitions.table_rebuild; docs/retention.md). The attempt's database foreign key
to its delivery goes first (a partitioned table cannot be pointed at by id alone). SQLite keeps
plain tables: retention deletes there in batches."""
import django.db.models.deletion
from django.db import migrations, models


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from hub.services.partitions import table_rebuild
    with schema_editor.connection.cursor() as cursor:
        table_rebuild(cursor, "hub_delivery", "created_at")
        table_rebuild(cursor, "hub_attempt", "started_at")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from hub.services.partitions import table_rebuild
    with schema_editor.connection.cursor() as cursor:
        table_rebuild(cursor, "hub_attempt", None)
        table_rebuild(cursor, "hub_delivery", None)


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0016_retention_policy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attempt",
            name="delivery",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="attempts", to="hub.delivery"),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
