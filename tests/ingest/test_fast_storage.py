"""The ingest's own INSERTs (on PostgreSQL: one INSERT for a few rows, COPY with ids taken up
front for more) store what the ORM stores, and re-assembling a call rewrites only the legs that
changed."""
from datetime import datetime, timedelta, timezone

import pytest
from django.utils.timezone import now as timezone_now

from hub.models import Call, CatalogueEvent, QueueLeg, StoredPbxEvent, UserLeg
from hub.services.ingest import events_ingest
from hub.services.ingest import fast_insert
from hub.services.ingest.fast_insert import rows_insert
from hub.vocabulary.pbx_event import Source
from integrations.threecx_logs import parse_text
from tests.factories import make_account
from tests.ingest.hub_processes import TZ

_AT = datetime(2025, 3, 1, 8, 42, 17, 534000, tzinfo=timezone(timedelta(hours=11)))
_DATA = {"name": "José \"Álvarez\"\n\t\\", "n": 3, "ok": True, "none": None, "list": [1.5, "x", {"k": []}]}
# legs_digest is left out: the legs it fingerprints carry the ids of call, PBX and account.
_CALL_COMPARED = [f.name for f in Call._meta.concrete_fields
                  if f.name not in ("id", "pbx", "account", "updated_at", "legs_digest")]
_COMPARED = ("source", "kind", "occurred_at", "pbx_call_id", "data", "raw", "call_id", "received_at")


@pytest.fixture(params=["insert", "copy"])
def rows_insert_path(request, monkeypatch):
    """On PostgreSQL a few rows go in one INSERT and many through COPY: each must store what the
    ORM stores. (SQLite takes the same executemany either way.)"""
    monkeypatch.setattr(fast_insert, "_INSERT_THROUGH_COPY", 10**9 if request.param == "insert" else 0)


def _row(pbx, key, *, data=_DATA, at=_AT):
    return (pbx.pk, "callflow", "call.incoming", at, "3352", key, data, "line\twith \\ tab\nand newline", None, at)


@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_rows_insert_stores_what_the_orm_stores():
    _, pbx, _ = make_account(timezone="+11:00")
    columns = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call", "received_at")
    rows_insert(StoredPbxEvent, columns, [_row(pbx, "fast"), _row(pbx, "fast-utc", at=_AT.astimezone(timezone.utc))])
    attnames = {"pbx": "pbx_id", "call": "call_id"}
    orm = StoredPbxEvent(**{attnames.get(c, c): v for c, v in zip(columns, _row(pbx, "orm"))})
    orm.save()
    StoredPbxEvent.objects.filter(pk=orm.pk).update(received_at=_AT)  # auto_now_add overrode it
    stored = {e["dedupe_key"]: e for e in StoredPbxEvent.objects.values("dedupe_key", *_COMPARED)}
    assert {k: v for k, v in stored["fast"].items() if k != "dedupe_key"} == \
        {k: v for k, v in stored["orm"].items() if k != "dedupe_key"}
    assert stored["fast-utc"]["occurred_at"] == _AT
    assert stored["fast"]["data"] == _DATA


@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_values_of_another_type_than_their_column_are_stored_as_the_orm_stores_them():
    # Binary COPY writes each value as its column's type: a number for a text column, a numeric
    # string for an integer one, JSON that orjson refuses (integer keys) all go through the field.
    _, pbx, _ = make_account(timezone="+11:00")
    columns = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call", "received_at")
    row = (str(pbx.pk), "callflow", "call.incoming", _AT, 3352, "typed", {1: "one", "big": 2**70}, "", None, _AT)
    rows_insert(StoredPbxEvent, columns, [row])
    stored = StoredPbxEvent.objects.get(dedupe_key="typed")
    assert (stored.pbx_id, stored.pbx_call_id, stored.data) == (pbx.pk, "3352", {"1": "one", "big": 2**70})


@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_nulls_among_times_and_json_are_stored_as_the_orm_stores_them():
    _, pbx, _ = make_account(timezone="+11:00")
    calls = _calls(pbx, 1)
    columns = ("account", "pbx", "call", "call_start_at", "position", "user", "rang_at", "answered_at", "ended_at",
               "status", "via_queue", "via_ring_group", "transfer", "forwarded_from")
    rows_insert(UserLeg, columns, [(pbx.account_id, pbx.pk, calls[0].pk, _AT, i, "102", at, None, None, "missed",
                                    "", "", "", "") for i, at in enumerate([_AT, None, _AT.astimezone(timezone.utc)])])
    assert list(UserLeg.objects.order_by("position").values_list("rang_at", "answered_at")) == \
        [(_AT, None), (None, None), (_AT, None)]
    fast_insert.rows_update(Call, {("voicemail", "ended_at"): [(None, None, calls[0].pk)]})
    assert Call.objects.values_list("voicemail", "ended_at").get() == (None, None)


@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_rows_insert_returns_the_ids_the_rows_got_and_later_inserts_follow_them():
    _, pbx, _ = make_account(timezone="+11:00")
    columns = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call", "received_at")
    first = rows_insert(StoredPbxEvent, columns, [_row(pbx, "a"), _row(pbx, "b")], returning=True)
    StoredPbxEvent.objects.filter(dedupe_key="b").delete()  # the largest id ever used stays used
    second = rows_insert(StoredPbxEvent, columns, [_row(pbx, "c"), _row(pbx, "d")], returning=True)
    orm = StoredPbxEvent.objects.create(pbx=pbx, source="callflow", kind="call.incoming", occurred_at=_AT,
                                        dedupe_key="e")
    keys = dict(StoredPbxEvent.objects.values_list("pk", "dedupe_key"))
    assert [keys.get(pk) for pk in first + second] == ["a", None, "c", "d"]
    assert first[0] < first[1] < second[0] < second[1] < orm.pk



@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_rows_of_several_statements_are_all_stored_in_order():
    # SQLite takes rows in multi-row INSERTs up to its limit on parameters (99 rows of these
    # 10 columns) and the rest one row at a time: 250 rows make 99 + 99 + 52 of them.
    _, pbx, _ = make_account(timezone="+11:00")
    columns = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call", "received_at")
    keys = [f"k{i:03d}" for i in range(250)]
    ids = rows_insert(StoredPbxEvent, columns, [_row(pbx, key, at=_AT + timedelta(seconds=i))
                                                for i, key in enumerate(keys)], returning=True)
    stored = list(StoredPbxEvent.objects.order_by("pk").values_list("pk", "dedupe_key", "occurred_at"))
    assert stored == [(pk, key, _AT + timedelta(seconds=i)) for i, (pk, key) in enumerate(zip(ids, keys))]



@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_objects_insert_stores_what_bulk_create_stores():
    _, pbx, _ = make_account(timezone="+11:00")
    made = [Call(account=pbx.account, pbx=pbx, unique_call_id=f"fast{i}", pbx_call_id=str(i), direction="inbound",
                 caller_name="José", call_start_at=_AT, last_event_at=_AT, voicemail={"user": "102"})
            for i in range(3)]
    before = timezone_now()
    fast_insert.objects_insert(made)
    assert all(call.updated_at >= before for call in made)  # auto_now, set on the instance too
    orm = Call.objects.bulk_create([Call(account=pbx.account, pbx=pbx, unique_call_id="orm", pbx_call_id="0",
                                         direction="inbound", caller_name="José", call_start_at=_AT,
                                         last_event_at=_AT, voicemail={"user": "102"})])[0]
    stored = {c.pk: c for c in Call.objects.all()}
    compared = [name for name in _CALL_COMPARED if name not in ("unique_call_id", "pbx_call_id")]
    for call in made:
        assert stored[call.pk].unique_call_id == call.unique_call_id and stored[call.pk].updated_at == call.updated_at
        assert [getattr(stored[call.pk], n) for n in compared] == [getattr(stored[orm.pk], n) for n in compared]



@pytest.mark.django_db
@pytest.mark.usefixtures("rows_insert_path")
def test_rows_insert_ignoring_conflicts_leaves_out_the_rows_a_unique_key_refuses():
    _, pbx, _ = make_account(timezone="+11:00")
    columns = ("pbx", "source", "kind", "occurred_at", "pbx_call_id", "dedupe_key", "data", "raw", "call", "received_at")
    rows_insert(StoredPbxEvent, columns, [_row(pbx, "k001", data={"first": True})])
    # 150 rows: on SQLite a statement of 99 rows, then one-row ones; k001 and k140 conflict.
    rows = [_row(pbx, f"k{i:03d}") for i in range(150)] + [_row(pbx, "k140", data={"again": True})]
    assert rows_insert(StoredPbxEvent, columns, rows, ignore_conflicts=True) == []
    stored = dict(StoredPbxEvent.objects.values_list("dedupe_key", "data"))
    assert sorted(stored) == [f"k{i:03d}" for i in range(150)]
    assert stored["k001"] == {"first": True} and stored["k140"] == _DATA
    with pytest.raises(ValueError):
        rows_insert(StoredPbxEvent, columns, [_row(pbx, "k999")], ignore_conflicts=True, returning=True)


CALLFLOW = """\
2025/03/01 08:42:17.534|0017|Info| [CallFlow] Call(C:3352): Incoming call from 0442642959 "" via Line:10001 "Bendigo Telco" to DID 61398765432
2025/03/01 08:42:17.924|0017|Info| [CallFlow] Call(C:3352): Routing to Queue:822 "Sales"
2025/03/01 08:42:20.682|0017|Info| [CallFlow] Call(C:3352): Ringing Ext.102 "José Álvarez"
2025/03/01 08:42:22.450|0017|Info| [CallFlow] Call(C:3352): Ringing Ext.104 "Chen Wei"
2025/03/01 08:42:57.195|0017|Info| [CallFlow] Call(C:3352): Terminated; reason=TerminatedBySrc
"""
QUEUE = """\
2025/03/01 08:42:18.365|003E|Info| [QueueManager] Queue 822 "Sales": call received QCID=3767 Call(C:3352) from 0442642959 ""
2025/03/01 08:42:20.638|003E|Info| [QueueManager] Queue 822: QCID=3767 ringing agent 102
2025/03/01 08:42:56.356|003E|Info| [QueueManager] Queue 822: QCID=3767 terminated; reason=Abandoned
"""


@pytest.mark.django_db
def test_a_later_batch_rewrites_only_the_legs_that_changed():
    _, pbx, _ = make_account(timezone="+11:00")
    callflow = parse_text(CALLFLOW, tz=TZ, source=Source.CALLFLOW).events
    queue = parse_text(QUEUE, tz=TZ, source=Source.QUEUEMANAGER).events
    events_ingest(pbx=pbx, events=[*callflow[:3], *queue])
    users_before = list(UserLeg.objects.values_list("id", "user"))
    queues_before = list(QueueLeg.objects.values_list("id", "queue", "status"))
    events_ingest(pbx=pbx, events=callflow[3:])  # a second ringing user and the end: no queue news
    assert list(QueueLeg.objects.values_list("id", "queue", "status")) == queues_before
    users_after = list(UserLeg.objects.order_by("position").values_list("user", flat=True))
    assert users_after == ["102", "104"] and [u for _, u in users_before] == ["102"]
    assert set(CatalogueEvent.objects.values_list("call_id", flat=True)) == {UserLeg.objects.first().call_id}


def test_datetime_text_is_shared_by_every_column_and_bounded(monkeypatch):
    from hub.services.ingest import fast_insert

    monkeypatch.setattr(fast_insert, "_TIMES_REMEMBERED", 100)
    text = fast_insert._utc_text(timezone.utc)
    text.cache.clear()
    moments = [_AT + timedelta(seconds=i, microseconds=i % 2) for i in range(1000)]
    assert [text(m) for m in moments] == [str(m.astimezone(timezone.utc).replace(tzinfo=None)) for m in moments]
    assert fast_insert._utc_text(timezone.utc) is text and len(text.cache) <= 100
    assert text.column(moments) == [text(m) for m in moments]  # more instants than it keeps
    assert len(text.cache) <= 100
    text.cache.clear()
    assert text.column(moments[:60]) + text.column(moments[30:90]) == [text(m) for m in moments[:60] + moments[30:90]]
    assert text.column([None, moments[0], None]) == [None, text(moments[0]), None]
    assert len(text.cache) <= 100


def _calls(pbx, count):
    return Call.objects.bulk_create(
        Call(account=pbx.account, pbx=pbx, unique_call_id=f"u{i}", pbx_call_id=str(i), direction="inbound",
             caller_name="before", call_start_at=_AT, last_event_at=_AT) for i in range(count))


@pytest.mark.django_db
@pytest.mark.parametrize("rows_through_copy", [0, 10**9], ids=["copy", "executemany"])
def test_rows_update_sets_each_rows_own_columns_only(monkeypatch, rows_through_copy):
    # PostgreSQL takes many rows through one COPY and an UPDATE … FROM per set of columns.
    monkeypatch.setattr(fast_insert, "_UPDATE_THROUGH_COPY", rows_through_copy)
    _, pbx, _ = make_account(timezone="+11:00")
    calls = _calls(pbx, 6)
    later = _AT + timedelta(minutes=3)
    voicemail = {"user": "102", "seconds": 7, "name": "José \"Álvarez\""}
    fast_insert.rows_update(Call, {
        ("caller_name", "ended_at", "call_duration"): [("Ann", later, 180, c.pk) for c in calls[:3]],
        ("state", "voicemail", "caller_number"): [("ended", voicemail, 42, c.pk) for c in calls[3:5]],
        ("did",): [],
    })
    stored = {c.pk: c for c in Call.objects.all()}
    assert [(stored[c.pk].caller_name, stored[c.pk].ended_at, stored[c.pk].call_duration, stored[c.pk].state)
            for c in calls[:3]] == [("Ann", later, 180, "in_progress")] * 3
    assert [(stored[c.pk].caller_name, stored[c.pk].state, stored[c.pk].voicemail, stored[c.pk].caller_number)
            for c in calls[3:5]] == [("before", "ended", voicemail, "42")] * 2
    untouched = stored[calls[5].pk]
    assert (untouched.caller_name, untouched.state, untouched.ended_at) == ("before", "in_progress", None)


@pytest.mark.django_db
def test_calls_updated_through_copy_match_the_row_by_row_updates(monkeypatch):
    def ingest(slug, rows_through_copy):
        monkeypatch.setattr(fast_insert, "_UPDATE_THROUGH_COPY", rows_through_copy)
        _, pbx, _ = make_account(slug, timezone="+11:00")
        callflow = parse_text(CALLFLOW, tz=TZ, source=Source.CALLFLOW).events
        queue = parse_text(QUEUE, tz=TZ, source=Source.QUEUEMANAGER).events
        events_ingest(pbx=pbx, events=[*callflow[:3], *queue])
        events_ingest(pbx=pbx, events=callflow[3:])
        return Call.objects.filter(pbx=pbx).values(*_CALL_COMPARED).get()

    assert ingest("copy", 0) == ingest("each", 10**9)
