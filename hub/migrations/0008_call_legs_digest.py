from django.db import migrations, models


class Migration(migrations.Migration):
    """Calls remember a fingerprint of the leg rows last written for them, so a live push
    compares fingerprints instead of reading four leg tables back (calls_store)."""

    dependencies = [("hub", "0007_lean_event_indexes")]

    operations = [
        migrations.AddField(
            model_name="call",
            name="legs_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
    ]
