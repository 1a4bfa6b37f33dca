"""A file import runs the cycle collector between batches, not during them, and puts it back
as it was."""
import gc

import pytest

from hub.services.ingest import imports
from hub.services.ingest.batch import IngestResult
from tests.factories import make_account
from tests.ingest.samples import SAMPLE_DIR


@pytest.fixture
def collections(monkeypatch):
    """The generations that gc.collect() was asked for, in order (nothing is collected)."""
    asked = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: asked.append(generation) or 0)
    return asked


@pytest.fixture
def batches(monkeypatch):
    """Whether the collector was on in each batch; the batches store nothing."""
    enabled = []

    def ingest(*, pbx, events, watermark=None):
        enabled.append(gc.isenabled())
        return IngestResult(received=len(events))

    monkeypatch.setattr(imports, "events_ingest", ingest)
    return enabled


def _import_an_event_a_batch():
    _, pbx, _ = make_account(timezone="+11:00")
    imports.files_import(pbx=pbx, paths=[SAMPLE_DIR / "3CXCallFlow.log"], summary=imports.ImportSummary(),
                         batch_events=1)


@pytest.mark.django_db
def test_import_collects_between_batches_with_the_collector_off_during_them(collections, batches, monkeypatch):
    monkeypatch.setattr(imports, "YOUNG_PER_MIDDLE", 3)
    _import_an_event_a_batch()
    assert len(batches) >= 7 and not any(batches)
    assert collections == [1 if n % 3 == 0 else 0 for n in range(1, len(batches) + 1)]
    assert gc.isenabled()


@pytest.mark.django_db
def test_import_turns_the_collector_back_on_when_storing_fails(collections, monkeypatch):
    def ingest(*, pbx, events, watermark=None):
        assert not gc.isenabled()
        raise RuntimeError("storage failed")

    monkeypatch.setattr(imports, "events_ingest", ingest)
    with pytest.raises(RuntimeError, match="storage failed"):
        _import_an_event_a_batch()
    assert gc.isenabled() and collections == []


@pytest.mark.django_db
def test_import_leaves_a_collector_that_was_off_alone(collections, batches):
    gc.disable()
    try:
        _import_an_event_a_batch()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert batches and collections == []
