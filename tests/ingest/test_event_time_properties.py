"""Property: whatever the order and batching in which a PBX's three sources reach the hub
(the follower's chunks of each file interleaved, several sources in one batch, chunks read
again after a kill, pushes a little out of order), the catalogue is the one the whole-file
import gives: the same keys and the same payloads (hub.assembly.emission).

The watermark each batch is given is the honest one a source can know: every event before
the earliest event not delivered yet has been delivered.
"""
import itertools
import random
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.models import IngestSource
from hub.services.ingest.batch import events_ingest
from hub.services.ingest.follow import decoder_for
from hub.services.ingest.imports import KINDS, ImportSummary, files_import
from hub.services.ingest.watermarks import EVERYTHING, NOTHING
from tests.factories import make_account
from tests.ingest.traffic import catalogue, traffic_write

SEEDS = (21, 22)
N_CALLS = 30
_slugs = itertools.count()
_traffic: dict[int, tuple[dict[str, list], dict]] = {}


def _pbx():
    return make_account(f"p{next(_slugs)}", timezone="+11:00")[1]


def _traffic_of(seed: int):
    """The seed's events per source (file order) and the catalogue of their import."""
    if seed not in _traffic:
        files = traffic_write(Path(tempfile.mkdtemp(prefix="hub-props-")), n_calls=N_CALLS, seed=seed)
        pbx = _pbx()
        files_import(pbx=pbx, paths=list(files.values()), summary=ImportSummary())
        events = {kind: decoder_for(IngestSource(pbx=pbx, kind=KINDS[kind])).decode(
            path.read_bytes(), 0, final=True).events for kind, path in files.items()}
        _traffic[seed] = events, catalogue(pbx)
    return _traffic[seed]


def _jostled(events: list, rng) -> list:
    """Pushes retried out of order: each event may swap with its neighbour."""
    events = list(events)
    for i in range(len(events) - 1):
        if rng.random() < 0.3:
            events[i], events[i + 1] = events[i + 1], events[i]
    return events


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), order=st.integers(0, 2**32),
       pushed=st.sets(st.sampled_from(["callflow", "queuemanager", "cdr"]), max_size=1))
def test_any_order_and_batching_of_the_sources_gives_the_imports_catalogue(seed, order, pushed):
    # One integer draws the whole delivery (chunk sizes, interleaving, re-reads): hypothesis
    # drawing each choice would make an input of thousands of choices.
    rng = random.Random(order)
    events, reference = _traffic_of(seed)
    pbx = _pbx()
    # Each source as its reader hands it over: a follower in chunks of its file, the plugin
    # one event a request, a little out of order.
    queues = {kind: _jostled(evs, rng) if kind in pushed else list(evs) for kind, evs in events.items()}
    delivered = {kind: 0 for kind in queues}

    def watermark():
        pending = [min(e.occurred_at for e in queue[delivered[kind]:])
                   for kind, queue in queues.items() if delivered[kind] < len(queue)]
        return min(pending) - timedelta(microseconds=1) if pending else EVERYTHING

    while any(delivered[kind] < len(queue) for kind, queue in queues.items()):
        batch = []
        for kind in rng.sample(sorted(queues), rng.randint(1, 3)):  # one batch may mix sources
            queue, start = queues[kind], delivered[kind]
            size = 1 if kind in pushed else rng.randint(1, 80)
            if start and rng.random() < 0.1:  # killed before its position was saved: read again
                batch += queue[max(0, start - size):start]
            batch += queue[start:start + size]
            delivered[kind] = min(len(queue), start + size)
        events_ingest(pbx=pbx, events=batch, watermark=watermark())
    assert watermark() == EVERYTHING and NOTHING < EVERYTHING

    assert catalogue(pbx) == reference
