"""A multi-file import merges the files' events by the instant they happened, whatever zone
each file writes its times in; events of the same instant keep the order of the files given."""
import pytest

from hub.services.ingest import imports
from hub.services.ingest.batch import IngestResult
from tests.factories import make_account

CALLFLOW = (
    '2025/03/01 08:00:15.000|0017|Info| [CallFlow] Call(C:1): Ringing Ext.108 "Mary Jones"\n'
    '2025/03/01 08:00:16.000|0017|Info| [CallFlow] Call(C:1): Answered by Ext.108 "Mary Jones"\n'
    "2025/03/01 08:00:17.000|0017|Info| [CallFlow] Call(C:1): Terminated; reason=TerminatedBySrc\n"
)
# Written in UTC: its time-end is 08:00:16 at the PBX's +11:00, the instant of the answer.
CDR = ("Call 1,0000000000000001_1,00:00:01,2025/02/28 21:00:10,2025/02/28 21:00:15,2025/02/28 21:00:16,"
       "TerminatedBySrc,+61465858725,Ext.108,10001,108,0354060752,,,,,,,,Chain: Ext.108;,Line,Extension,,"
       "Zoe,,,,\n")


@pytest.fixture
def stored(monkeypatch):
    """The kinds of the events handed to storage, in order (nothing is stored)."""
    kinds = []

    def ingest(*, pbx, events, watermark=None):
        kinds.extend(str(event.kind) for event in events)
        return IngestResult(received=len(events))

    monkeypatch.setattr(imports, "events_ingest", ingest)
    return kinds


def _import(tmp_path, *names):
    (tmp_path / "3CXCallFlow.log").write_text(CALLFLOW)
    (tmp_path / "cdr.log").write_text(CDR)
    _, pbx, _ = make_account(timezone="+11:00")
    imports.files_import(pbx=pbx, paths=[tmp_path / name for name in names], summary=imports.ImportSummary())


@pytest.mark.django_db
def test_files_merge_by_instant_across_zones_and_ties_keep_the_files_order(tmp_path, stored):
    _import(tmp_path, "3CXCallFlow.log", "cdr.log")
    assert stored == ["user.ringing", "call.answered", "cdr.record", "call.terminated"]


@pytest.mark.django_db
def test_a_tie_goes_to_the_file_given_first(tmp_path, stored):
    _import(tmp_path, "cdr.log", "3CXCallFlow.log")
    assert stored == ["user.ringing", "cdr.record", "call.answered", "call.terminated"]
