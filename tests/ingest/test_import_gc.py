"""A file import runs with a higher gen-0 collection threshold and puts the old one back."""
import gc

import pytest

from hub.services.ingest import imports
from tests.factories import make_account
from tests.ingest.samples import SAMPLE_DIR


@pytest.fixture
def low_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    yield (700, *before[1:])
    gc.set_threshold(*before)


@pytest.mark.django_db
def test_import_collects_young_objects_less_often_and_restores_the_threshold(low_threshold, monkeypatch):
    _, pbx, _ = make_account(timezone="+11:00")
    seen = []

    def ingest(*, pbx, events):
        seen.append(gc.get_threshold())
        raise RuntimeError("storage failed")

    monkeypatch.setattr(imports, "events_ingest", ingest)
    with pytest.raises(RuntimeError):
        imports.files_import(pbx=pbx, paths=[SAMPLE_DIR / "3CXCallFlow.log"], summary=imports.ImportSummary())

    assert seen == [(imports.YOUNG_GC_THRESHOLD, *low_threshold[1:])]
    assert gc.get_threshold() == low_threshold
