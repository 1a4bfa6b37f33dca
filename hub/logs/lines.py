"""The structured lines of the hub's hot paths: one per ingest batch and one per delivery
attempt. Their fields join up: an ingest batch names the calls it touched, an attempt its call
and webhook-id, and the request or task id of each comes from its scope (context.py)."""
from __future__ import annotations

import logging

ingest_logger = logging.getLogger("hub.ingest")
delivery_logger = logging.getLogger("hub.delivery")

# A batch read from a busy file can touch thousands of calls; the line names this many.
CALLS_NAMED = 50


def ingest_batch_logged(*, pbx, sources, result) -> None:
    """``sources``: the sources of the batch's new events."""
    if not ingest_logger.isEnabledFor(logging.INFO) or not (result.received or result.catalogue_events):
        return
    calls = sorted(result.calls)
    fields = {"account": pbx.account_id, "pbx": pbx.pk, "sources": ",".join(sorted(map(str, sources))),
              "received": result.received, "stored": result.stored, "duplicates": result.duplicates,
              "catalogue_events": len(result.catalogue_events), "calls": len(calls),
              "call_ids": ",".join(map(str, calls[:CALLS_NAMED])) + (",…" if len(calls) > CALLS_NAMED else "")}
    ingest_logger.info("ingest batch", extra={"fields": fields})


def attempt_logged(*, delivery, result, outcome: str) -> None:
    """``delivery``: a Claimed or a Delivery; ``result``: its SendResult."""
    if not delivery_logger.isEnabledFor(logging.INFO):
        return
    fields = {"account": getattr(delivery, "account_id", None), "pbx": getattr(delivery, "pbx_id", None),
              "webhook_id": delivery.message_id, "call": delivery.call_id, "endpoint": delivery.endpoint_id,
              "delivery": delivery.pk, "attempt": delivery.attempt_count + 1, "outcome": outcome,
              "status_code": result.status_code, "error": result.error_class or None,
              "duration_ms": result.duration_ms, "test": delivery.is_test or None}
    delivery_logger.info("delivery attempt", extra={"fields": {k: v for k, v in fields.items() if v is not None}})


def endpoint_disabled_logged(*, endpoint_id: int, reason: str) -> None:
    delivery_logger.warning("endpoint disabled", extra={"fields": {"endpoint": endpoint_id, "reason": reason}})
