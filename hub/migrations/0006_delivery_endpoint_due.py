from django.db import migrations, models
from django.db.models import F


def pending_rows_get_a_due_time(apps, schema_editor):
    # The claim's index gives order only if pending rows always have next_attempt_at; the hub
    # always set it, this makes sure for rows written before that was a rule.
    Delivery = apps.get_model("hub", "Delivery")
    Delivery.objects.filter(status="pending", next_attempt_at__isnull=True).update(next_attempt_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0005_user_leg_ended_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["endpoint", "status", "next_attempt_at", "id"], name="delivery_endpoint_due"),
        ),
        migrations.RunPython(pending_rows_get_a_due_time, migrations.RunPython.noop),
    ]
