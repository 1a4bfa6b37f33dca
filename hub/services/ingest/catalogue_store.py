"""Store the catalogue events a batch derived: only keys not stored yet, numbered per call."""
from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from hub.assembly import CatalogueEvent as Derived
from hub.models import Call, CatalogueEvent, Pbx
from hub.services.ingest.fast_insert import rows_insert

# The model's field order after the id: CatalogueEvent(pk, *row) builds the row created.
_COLUMNS = ("account", "pbx", "call", "key", "trigger", "sequence", "occurred_at", "payload", "created_at")


def catalogue_events_store(pbx: Pbx, derived: list[tuple[Call | None, Derived]]) -> list[CatalogueEvent]:
    """Insert the new ones in the order given; returns the rows created."""
    if not derived:
        return []
    known = set(CatalogueEvent.objects.filter(pbx=pbx, key__in=[d.key for _, d in derived])
                .values_list("key", flat=True))
    calls = {call.pk for call, _ in derived if call is not None}
    next_sequence = dict(CatalogueEvent.objects.filter(call_id__in=calls).values("call_id")
                         .annotate(top=Max("sequence")).values_list("call_id", "top"))
    rows, now = [], timezone.now()
    for call, event in derived:
        if event.key in known:
            continue
        known.add(event.key)
        sequence = 0
        if call is not None:
            sequence = next_sequence.get(call.pk, 0) + 1
            next_sequence[call.pk] = sequence
        rows.append((pbx.account_id, pbx.pk, call.pk if call is not None else None, event.key, event.trigger,
                     sequence, event.occurred_at, event.payload, now))
    ids = rows_insert(CatalogueEvent, _COLUMNS, rows, returning=True)
    return [CatalogueEvent(pk, *row) for pk, row in zip(ids, rows)]
