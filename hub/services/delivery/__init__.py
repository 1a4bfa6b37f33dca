"""The delivery engine: the only code that writes deliveries, attempts and endpoint health.

    deliveries_create(events=…)        in the ingest transaction: the outbox rows, enqueued on commit
    endpoint_pump(endpoint_id=…)       the worker's one call: claim, send and record an endpoint's due
                                       deliveries in batches until none is left
    endpoints_pump(endpoint_ids=…)     one wake-up for several endpoints: pokes running pumps, starts the others
    engine.ENGINE.wake(endpoint_ids)   what the worker's tasks call (WEBHOOK_ENGINE=loop): this process's
                                       scheduler threads claim, send and record for every endpoint
    delivery_attempt(delivery_id=…)    one delivery through the same path (tests, tools)
    deliveries_sweep(now=…)            beat: take back stuck claims, wake endpoints with due deliveries
    attempts_prune(now=…)              beat: drop attempts past their retention
"""
from hub.services.delivery.attempt import delivery_attempt
from hub.services.delivery.create import deliveries_create
from hub.services.delivery.endpoints import (
    signing_secret_rotate, signing_secrets_reveal, webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_enable,
    webhook_endpoint_update,
)
from hub.services.delivery.pump import PumpResult, endpoint_pump, endpoints_pump
from hub.services.delivery.redeliver import deliveries_recover, delivery_redeliver, delivery_retry_now
from hub.services.delivery.sweep import SweepResult, attempts_prune, deliveries_sweep
from hub.services.delivery.testing import WebhookTestResult, webhook_test

__all__ = [
    "PumpResult", "SweepResult", "WebhookTestResult", "attempts_prune", "deliveries_create", "deliveries_recover",
    "deliveries_sweep", "delivery_attempt", "delivery_redeliver", "delivery_retry_now", "endpoint_pump", "endpoints_pump",
    "signing_secret_rotate", "signing_secrets_reveal", "webhook_endpoint_create", "webhook_endpoint_delete", "webhook_endpoint_enable",
    "webhook_endpoint_update", "webhook_test",
]
