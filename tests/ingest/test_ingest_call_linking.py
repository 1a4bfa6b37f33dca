"""Which stored call a line joins when it arrives late or out of order.

Both cases came out of running simulated traffic through the real ingest: a queue callback that
ends over ten minutes after its call (its lines once opened a phantom call), and a recycled
C:N whose older CDR arrives after a newer call took the number.
"""
import pytest
from django.db import IntegrityError

from hub.assembly import assemble_call, group_calls
from hub.models import Call, StoredPbxEvent
from hub.selectors.calls import call_as_dict, calls_with_legs
from hub.services.ingest import events_ingest
from hub.vocabulary.pbx_event import Source
from integrations.threecx_cdr import parse_cdr_text
from integrations.threecx_logs import parse_text
from tests.factories import make_account
from tests.ingest.hub_processes import TZ
from tests.ingest.samples import expected_calls, sample_events

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
2025/03/01 08:42:22.356|003E|Info| [QueueManager] Queue 822: QCID=3767 ringing agent 104
2025/03/01 08:42:56.331|003E|Info| [QueueManager] Queue 822: QCID=3767 callback requested to 0442642959
2025/03/01 08:42:56.356|003E|Info| [QueueManager] Queue 822: QCID=3767 terminated; reason=Callback requested
2025/03/01 08:46:52.948|003E|Info| [QueueManager] Queue 822: callback QCID=3769 for QCID=3767 dialling 0442642959 via agent 104
2025/03/01 08:47:07.508|003E|Info| [QueueManager] Queue 822: QCID=3769 answered by agent 104
2025/03/01 08:53:35.619|003E|Info| [QueueManager] Queue 822: QCID=3769 terminated; reason=Serviced
"""
CDR = ("Call 3352,000000000b2b92ff_3352,00:00:00,2025/02/28 21:42:17,,2025/02/28 21:42:57,TerminatedBySrc,"
       "0442642959,Ext.822,10001,822,61398765432,,,,,,,,Chain: 0442642959;Ext.102;Ext.104;,Line,Queue,,,,,102;104,\n")


def _events():
    events = parse_text(CALLFLOW, tz=TZ, source=Source.CALLFLOW).events
    events += parse_text(QUEUE, tz=TZ, source=Source.QUEUEMANAGER).events
    events += parse_cdr_text(CDR)[0]
    return sorted(events, key=lambda e: e.occurred_at)


# Three months after the sample, a call under the same C:874 as one of the sample's calls.
LATER_CDR_874 = ("Call 874,0000000004a494c2_874,00:06:08,2025/05/31 21:00:00,2025/05/31 21:00:07,2025/05/31 21:06:16,"
                 "TerminatedByDst,Ext.100,Ext.102,100,102,102,,Ext.102,102,,,,,Chain: Ext.100;Ext.102;,Extension,"
                 "Extension,Extension,Reception Desk,,José Álvarez,,\n")


@pytest.mark.django_db
@pytest.mark.parametrize("batches", [1, 2], ids=["one batch", "callback end arrives later"])
def test_callback_ending_long_after_the_call_stays_on_that_call(batches):
    _, pbx, _ = make_account(timezone="+11:00")
    events = _events()
    split = len(events) - 1 if batches == 2 else len(events)  # the last is the callback's end
    events_ingest(pbx=pbx, events=events[:split])
    events_ingest(pbx=pbx, events=events[split:])

    (call,) = calls_with_legs(Call.objects.filter(pbx=pbx))
    (group,), _ = group_calls(events)
    assert call_as_dict(call) == assemble_call(group, tz=TZ).to_dict()


@pytest.mark.django_db
def test_old_cdr_arriving_after_a_newer_call_with_the_same_number_joins_the_old_call():
    """C:N numbers recycle (every PBX restart), so a CDR record imported late must still find
    its own call, not the newest call that happens to carry the same number."""
    _, pbx, _ = make_account(timezone="+11:00")
    older = sample_events()
    (old_cdr,) = [e for e in older["cdr"] if e.pbx_call_id == "874"]
    newer = parse_cdr_text(LATER_CDR_874)[0]

    events_ingest(pbx=pbx, events=older["callflow"] + older["queuemanager"])
    events_ingest(pbx=pbx, events=newer)
    events_ingest(pbx=pbx, events=older["cdr"])

    stored = {c.unique_call_id: call_as_dict(c) for c in calls_with_legs(Call.objects.filter(pbx=pbx))}
    expected = {c["unique_call_id"]: c for c in expected_calls()}
    assert {uid: stored.get(uid) for uid in expected} == expected
    assert len(stored) == len(expected) + 1
    row = StoredPbxEvent.objects.get(pbx=pbx, source="cdr", dedupe_key=old_cdr.dedupe_key[:100])
    assert row.call.unique_call_id == "250301080017_874"


def _field_values(call):
    return {f.attname: getattr(call, f.attname) for f in Call._meta.concrete_fields}


def test_new_calls_are_built_with_the_fields_defaults_as_the_keyword_path_builds_them(monkeypatch):
    from datetime import datetime, timezone

    from hub.services.ingest import linking

    at = datetime(2025, 3, 1, 8, 42, tzinfo=timezone.utc)
    values = dict(account_id=3, pbx_id=4, pbx_call_id="3352", unique_call_id="pending-3352-ab", direction="inbound",
                  call_start_at=at, last_event_at=at)
    assert _field_values(linking._new_call(**values)) == _field_values(Call(**values))
    # A default built per instance (a callable) is not shared: the keyword path builds it.
    digest, fresh = Call._meta.get_field("legs_digest"), lambda: ["fresh"]
    monkeypatch.setattr(digest, "default", fresh)
    monkeypatch.setattr(digest, "_get_default", fresh)  # what get_default() calls (cached)
    linking._call_defaults.cache_clear()
    try:
        first, second = linking._new_call(**values), linking._new_call(**values)
        assert first.legs_digest == ["fresh"] and first.legs_digest is not second.legs_digest
    finally:
        linking._call_defaults.cache_clear()


@pytest.mark.django_db
def test_links_save_stores_the_new_links_and_leaves_a_stored_one_as_it_is():
    from datetime import datetime, timezone

    from hub.models import QcidLink
    from hub.services.ingest.linking import CallLinker

    _, pbx, _ = make_account(timezone="+11:00")
    at = datetime(2025, 3, 1, 8, 42, tzinfo=timezone.utc)
    first, second = (Call.objects.create(account=pbx.account, pbx=pbx, unique_call_id=u, pbx_call_id=u,
                                         direction="inbound", call_start_at=at, last_event_at=at) for u in "12")
    QcidLink.objects.create(pbx=pbx, qcid="3767", call=first)
    linker = CallLinker(pbx, qcid_calls={"3767": second, "3769": second}, new_qcids={"3767", "3769"})
    linker.links_save()
    assert dict(QcidLink.objects.values_list("qcid", "call_id")) == {"3767": first.pk, "3769": second.pk}


@pytest.mark.django_db
def test_a_recycled_call_number_in_the_same_minute_opens_a_second_call_in_one_batch():
    # The two calls' first lines have keys that begin alike (log keys lead with the time), so
    # the provisional unique_call_id the linker gives a new call must not be cut from the key.
    _, pbx, _ = make_account(timezone="+11:00")
    second = (CALLFLOW.replace("08:42:17.534", "08:42:58.101").replace("08:42:17.924", "08:42:58.202")
              .replace("08:42:20.682", "08:42:58.303").replace("08:42:22.450", "08:42:58.404")
              .replace("08:42:57.195", "08:42:59.505"))
    events = parse_text(CALLFLOW + second, tz=TZ, source=Source.CALLFLOW).events

    events_ingest(pbx=pbx, events=events)

    assert sorted(Call.objects.values_list("unique_call_id", flat=True)) == ["250301084217_3352", "250301084258_3352"]
