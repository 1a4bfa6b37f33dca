"""A call as of each prefix of its events, as event-time emission derives it (one fold for all
prefixes, names folded along, seed lines from the caller facts alone) derives exactly what
that prefix assembled and derived on its own does."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.assembly import derive_events, group_calls, normalise
from hub.assembly.assemble import PrefixAssembler, assemble_normalised
from hub.assembly.catalogue_event import in_catalogue_order
from hub.assembly.derive import derive_prefix
from hub.assembly.derive_seed import SEED_TRIGGERS
from integrations.simulator import generate

from .test_simulated_traffic import _parse

MELBOURNE = ZoneInfo("Australia/Melbourne")


def _calls(n_calls: int = 300) -> list[list]:
    calls, _ = group_calls(_parse(generate(start=datetime(2025, 3, 1, 8, tzinfo=MELBOURNE),
                                           n_calls=n_calls, seed=7), MELBOURNE))
    return [normalise(events, MELBOURNE) for events in calls]


def test_every_prefix_derives_what_it_derives_assembled_on_its_own():
    checked = 0
    for ordered in _calls():
        assembler = PrefixAssembler(ordered, tz=MELBOURNE)
        for count in range(1, len(ordered) + 1):
            alone = ordered[:count]
            want = derive_events(assemble_normalised(alone, tz=MELBOURNE), alone, call_key="k", normalised=True)
            assert in_catalogue_order(derive_prefix(assembler.prefix(count), call_key="k")) == want
            checked += 1
    assert checked > 3000


def test_a_prefix_from_since_derives_the_seed_lines_from_there_on_only():
    for ordered in _calls(60):
        assembler = PrefixAssembler(ordered, tz=MELBOURNE)
        for count in range(1, len(ordered) + 1):
            since = count // 2
            got = derive_prefix(assembler.prefix(count, since=since), call_key="k", triggers=frozenset(SEED_TRIGGERS))
            alone = ordered[:count]
            every = derive_events(assemble_normalised(alone, tz=MELBOURNE), alone, call_key="k", normalised=True,
                                  triggers=frozenset(SEED_TRIGGERS))
            lines = {line.dedupe_key for line in ordered[since:count]}  # a seed key: k:<trigger>:<line's key>
            assert in_catalogue_order(got) == [e for e in every if e.key.split(":", 2)[2] in lines]
