"""Event time and watermarks (hub.assembly.emission): when a catalogue event may go out.

Catalogue keys no longer name a call by its row id (``call<pk>:…``, which depended on which
source was read first) but by a hash of its earliest event (emission.call_anchor). Stored
keys are rewritten to that form here, so a call that advances after the upgrade does not
send its events again under new keys.
"""
from hashlib import blake2b
from itertools import groupby

from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

# assemble.SOURCE_RANK, as of this migration: the order of events at the same instant.
SOURCE_RANK = {"callflow": 0, "queuemanager": 1, "plugin": 2, "native": 3, "cdr": 4}


def _anchor(source: str, dedupe_key: str) -> str:
    # emission.call_anchor, as of this migration.
    return "c" + blake2b(f"{source}\x00{dedupe_key}".encode(), digest_size=8).hexdigest()


def keys_to_anchors(apps, schema_editor):
    CatalogueEvent = apps.get_model("hub", "CatalogueEvent")
    StoredPbxEvent = apps.get_model("hub", "StoredPbxEvent")
    with_events = set(CatalogueEvent.objects.filter(call__isnull=False).values_list("call_id", flat=True).distinct())
    rows = (StoredPbxEvent.objects.filter(call_id__in=with_events) if len(with_events) < 500
            else StoredPbxEvent.objects.filter(call__isnull=False))
    rows = rows.order_by("call_id", "occurred_at").values_list("call_id", "occurred_at", "source", "dedupe_key")
    for call_id, events in groupby(rows.iterator(chunk_size=5000), key=lambda row: row[0]):
        if call_id not in with_events:
            continue
        events = list(events)
        first_at = events[0][1]
        _, _, source, key = min((e for e in events if e[1] == first_at),
                                key=lambda e: (SOURCE_RANK.get(e[2], 9), e[3]))
        prefix = f"call{call_id}:"
        CatalogueEvent.objects.filter(call_id=call_id, key__startswith=prefix).update(
            key=Concat(Value(_anchor(source, key) + ":"), Substr("key", len(prefix) + 1)))


class Migration(migrations.Migration):

    dependencies = [
        ('hub', '0010_log_dedupe_keys_lead_with_time'),
    ]

    operations = [
        migrations.RunPython(keys_to_anchors, migrations.RunPython.noop),
        migrations.AddField(
            model_name='call',
            name='emit_due_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='ingestsource',
            name='behind',
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name='pbx',
            name='watermark_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='pbx',
            name='watermark_moved_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('emit_due_at__isnull', False)), fields=['pbx', 'emit_due_at'], name='call_emit_due'),
        ),
    ]
