"""Store the catalogue events a batch derived: only keys not stored yet, numbered per call."""
from __future__ import annotations

from django.db.models import Max

from hub.assembly import CatalogueEvent as Derived
from hub.models import Call, CatalogueEvent, Pbx


def catalogue_events_store(pbx: Pbx, derived: list[tuple[Call | None, Derived]]) -> list[CatalogueEvent]:
    """Insert the new ones in the order given; returns the rows created."""
    if not derived:
        return []
    known = set(CatalogueEvent.objects.filter(pbx=pbx, key__in=[d.key for _, d in derived])
                .values_list("key", flat=True))
    calls = {call.pk for call, _ in derived if call is not None}
    next_sequence = dict(CatalogueEvent.objects.filter(call_id__in=calls).values("call_id")
                         .annotate(top=Max("sequence")).values_list("call_id", "top"))
    rows = []
    for call, event in derived:
        if event.key in known:
            continue
        known.add(event.key)
        sequence = 0
        if call is not None:
            sequence = next_sequence.get(call.pk, 0) + 1
            next_sequence[call.pk] = sequence
        rows.append(CatalogueEvent(account_id=pbx.account_id, pbx=pbx, call=call, key=event.key,
                                   trigger=event.trigger, sequence=sequence,
                                   occurred_at=event.occurred_at, payload=event.payload))
    return CatalogueEvent.objects.bulk_create(rows, batch_size=1000)
