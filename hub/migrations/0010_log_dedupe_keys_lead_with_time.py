from django.db import migrations
from django.db.models import F
from django.db.models.functions import Concat, Length, Substr

# The 3CX log sources; their keys were the bare SHA-256 hex of "{source}\n{record text}" (64
# characters), and the record text is what the event stores as ``raw``.
LOG_SOURCES = ("callflow", "queuemanager")
PREFIX = 23  # threecx_logs.parser.DEDUPE_PREFIX: the record's first characters, its timestamp
HASH = 64


def _log_events(apps):
    StoredPbxEvent = apps.get_model("hub", "StoredPbxEvent")
    return StoredPbxEvent.objects.filter(source__in=LOG_SOURCES).alias(key_length=Length("dedupe_key"))


def keys_lead_with_time(apps, schema_editor):
    _log_events(apps).filter(key_length=HASH).update(
        dedupe_key=Concat(Substr("raw", 1, PREFIX), F("dedupe_key")))


def keys_back_to_hash(apps, schema_editor):
    _log_events(apps).filter(key_length__gt=HASH).update(dedupe_key=Substr("dedupe_key", Length("dedupe_key") - HASH + 1))


class Migration(migrations.Migration):
    """Log events' dedupe keys start with the record's timestamp, as the parser now makes them.

    A bare hash put each new event at a random place in the (pbx, source, dedupe_key) index,
    so once that index outgrew the page cache every insert read and wrote a cold page; keys in
    time order land together at its end. Keys stored before must take the same form, or
    re-reading an old log would store its lines again.
    """

    dependencies = [("hub", "0009_userleg_user_page_order")]

    operations = [migrations.RunPython(keys_lead_with_time, keys_back_to_hash, elidable=False)]
