"""Log events stored while their keys were bare hashes take the parser's time-led keys in
migration 0010, so re-reading an old log after the upgrade stores none of its lines again."""
import hashlib

import pytest

from hub.models import StoredPbxEvent
from hub.services.ingest import events_ingest
from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import parse_text
from tests.factories import make_account
from tests.ingest.hub_processes import TZ
from tests.ingest.test_fast_storage import CALLFLOW, QUEUE
from tests.schema_migrations import latest_schema_afterwards, migrate  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hub", "0009_userleg_user_page_order")]
AFTER = [("hub", "0010_log_dedupe_keys_lead_with_time")]


def _store_as_before(pbx_id, *logs):
    """Store the logs' lines the way the hub did before 0010 (key: the SHA-256 of source and
    text), and a CDR record, whose key the migration leaves alone."""
    Event = migrate(BEFORE).get_model("hub", "StoredPbxEvent")
    for text, source in logs:
        for e in parse_text(text, tz=TZ, source=source).events:
            Event.objects.create(pbx_id=pbx_id, source=source.value, kind=e.kind.value, occurred_at=e.occurred_at,
                                 pbx_call_id=e.pbx_call_id or "", data=e.data, raw=e.raw,
                                 dedupe_key=hashlib.sha256(f"{source}\n{e.raw}".encode()).hexdigest())
    Event.objects.create(pbx_id=pbx_id, source="cdr", kind="cdr.record", occurred_at=e.occurred_at,
                         dedupe_key="cdr:" + "0" * 64, raw="not a log line")


def _stored_keys():
    return dict(StoredPbxEvent.objects.values_list("raw", "dedupe_key"))


def test_old_log_keys_become_the_parsers_keys_and_rereading_the_log_adds_nothing():
    _, pbx, _ = make_account(timezone="+11:00")
    _store_as_before(pbx.pk, (CALLFLOW, Source.CALLFLOW), (QUEUE, Source.QUEUEMANAGER))
    migrate()  # the upgrade: 0010 and whatever follows it

    parsed = [*parse_text(CALLFLOW, tz=TZ, source=Source.CALLFLOW).events,
              *parse_text(QUEUE, tz=TZ, source=Source.QUEUEMANAGER).events]
    assert _stored_keys() == {**{e.raw: e.dedupe_key for e in parsed}, "not a log line": "cdr:" + "0" * 64}
    assert all(key.startswith("2025/03/01 08:42:") for raw, key in _stored_keys().items() if raw != "not a log line")
    result = events_ingest(pbx=pbx, events=parsed)
    assert (result.stored, result.duplicates) == (0, len(parsed))


def test_the_migration_reverses_to_the_bare_hashes():
    _, pbx, _ = make_account(timezone="+11:00")
    _store_as_before(pbx.pk, (CALLFLOW, Source.CALLFLOW))
    before = _stored_keys()
    migrate(AFTER)
    assert _stored_keys() != before
    migrate(BEFORE)
    assert _stored_keys() == before
