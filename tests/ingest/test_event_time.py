"""One input, one catalogue: the same simulated traffic gives the same catalogue events (keys
and payloads) whether it is imported whole, followed file by file from the start, imported
in halves with an idle sweep between them, or imported twice (hub.assembly.emission)."""
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.models import Call, CallState, CatalogueEvent, IngestSource
from hub.services.calls import calls_close_idle
from hub.services.ingest import follow
from hub.services.ingest.flush import catalogue_flush
from hub.services.ingest.imports import ImportSummary, files_import
from hub.services.ingest.sources import file_sources_ensure
from tests.factories import make_account
from tests.ingest.traffic import catalogue, traffic_write, triggers

N_CALLS, SEED = 300, 3


@pytest.fixture(scope="module")
def traffic(tmp_path_factory):
    return traffic_write(tmp_path_factory.mktemp("pbx"), n_calls=N_CALLS, seed=SEED)


def _pbx(slug):
    return make_account(slug, timezone="+11:00")[1]


def _imported(slug, paths, **options):
    pbx = _pbx(slug)
    summary = ImportSummary()
    files_import(pbx=pbx, paths=paths, summary=summary, **options)
    return pbx, summary


def _calls(pbx):
    return sorted(Call.objects.filter(pbx=pbx).values_list("unique_call_id", "state", "connected_at", "ended_at",
                                                           "caller_name", "call_duration"))


def _head(path, directory, fraction):
    """The first ``fraction`` of the file's lines (`head -n`), as a file of the same name."""
    lines = path.read_bytes().splitlines(keepends=True)
    cut = directory / path.name
    cut.write_bytes(b"".join(lines[:int(len(lines) * fraction)]))
    return cut


@pytest.mark.django_db
def test_following_the_files_from_the_start_gives_what_importing_them_gives(traffic, monkeypatch):
    reference, _ = _imported("ref", list(traffic.values()))
    pbx = _pbx("fol")
    sources = file_sources_ensure(pbx=pbx, directory=next(iter(traffic.values())).parent)
    # Small reads: hundreds of batches, the three files read at their own paces.
    monkeypatch.setattr(follow, "MAX_BYTES", 24 << 10)
    followers = [follow.SourceFollower(IngestSource.objects.select_related("pbx").get(pk=s.pk)) for s in sources]
    rng = random.Random(5)
    while any(IngestSource.objects.filter(pk__in=[s.pk for s in sources], behind=True)):
        rng.choice(followers).poll()
    for follower in followers:
        follower.close()
    catalogue_flush(pbx=pbx)  # the files went silent: what waits for their next lines goes out

    assert triggers(pbx) == triggers(reference)
    assert catalogue(pbx) == catalogue(reference)
    assert _calls(pbx) == _calls(reference)
    assert triggers(reference)["call_received"] > 100 and triggers(reference)["call_answered"] > 50


@pytest.mark.django_db
def test_half_the_files_an_idle_sweep_then_the_whole_files_give_the_reference(traffic, tmp_path):
    reference, _ = _imported("ref", list(traffic.values()))
    halves = [_head(path, tmp_path, 0.5) for path in traffic.values()]
    pbx, _ = _imported("half", halves, flush=False)  # more of these files will follow
    # The sweep judges by PBX time (where the import stopped), not by the wall clock: months
    # after this traffic, nothing is idle.
    assert calls_close_idle() == 0
    files_import(pbx=pbx, paths=list(traffic.values()), summary=ImportSummary())

    assert catalogue(pbx) == catalogue(reference)
    assert _calls(pbx) == _calls(reference)


@pytest.mark.django_db
def test_calls_closed_for_silence_take_their_late_lines_and_every_import_completes(traffic, tmp_path):
    reference, _ = _imported("ref", list(traffic.values()))
    halves = [_head(path, tmp_path, 0.5) for path in traffic.values()]
    pbx, _ = _imported("half", halves, flush=False)
    # The hub was down for two days: in PBX time too, the calls open at the cut are idle.
    assert calls_close_idle(now=timezone.now() + timedelta(days=2)) > 0
    closed = set(Call.objects.filter(pbx=pbx, state=CallState.CLOSED_IDLE).values_list("id", flat=True))

    files_import(pbx=pbx, paths=list(traffic.values()), summary=ImportSummary())
    # Their real ends came: the calls are the reference's, none left closed as idle.
    assert _calls(pbx) == _calls(reference)
    assert not Call.objects.filter(pbx=pbx, state=CallState.CLOSED_IDLE).exists()
    # No fact was lost. The sweep gave up waiting for the files' missing halves, so what went
    # out then was derived from what was known then: only the closed calls' events differ
    # (docs/ingest.md, "Facts that come after their call's events went out").
    ours, theirs = catalogue(pbx), catalogue(reference)
    assert set(ours) >= set(theirs)
    changed = [key for key in theirs if ours[key] != theirs[key]]
    assert changed
    assert set(CatalogueEvent.objects.filter(pbx=pbx, key__in=changed).values_list("call_id", flat=True)) <= closed

    again = ImportSummary()
    files_import(pbx=pbx, paths=list(traffic.values()), summary=again)
    assert (again.events, again.catalogue_events) == (0, 0) and again.duplicates > 0

