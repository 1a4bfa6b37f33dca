from django.db import migrations, models


class Migration(migrations.Migration):
    """max_concurrency becomes the ceiling of an endpoint's adaptive concurrency: new endpoints
    get 64 (the hub starts at 4 and grows toward it); existing endpoints keep what they had."""

    dependencies = [
        ('hub', '0014_push_watermark'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookendpoint',
            name='max_concurrency',
            field=models.PositiveSmallIntegerField(default=64),
        ),
    ]
