"""Every metric family the hub's processes count in memory.

Labels stay bounded: PBX ids, sources, triggers, reasons, outcomes, route names, never a call id
or a path. A webhook endpoint's id is a label only when METRICS_ENDPOINT_LABELS is on (a hub
with thousands of endpoints would make thousands of series per family).

Under gunicorn these live in PROMETHEUS_MULTIPROC_DIR (one file per worker process), which must
be set before prometheus_client is imported: gunicorn.conf.py sets it.
"""
from django.conf import settings
from prometheus_client import Counter, Gauge, Histogram

ENDPOINT_LABELS = ("endpoint",) if settings.METRICS_ENDPOINT_LABELS else ()

# From sub-second (push, followed files) to an hour (a source that was stopped and caught up).
_LAG_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_ATTEMPT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# From a first attempt (well under a second) to the retry schedule's last waits (hours).
_RECEIPT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000)

INGEST_EVENTS = Counter("hub_ingest_events", "PBX events stored (new ones; repeats are dropped), per PBX and source",
                        ["pbx", "source"])
INGEST_LINES_SKIPPED = Counter("hub_ingest_lines_skipped",
                               "Lines of followed files and CDR sockets that made no event, per source kind and reason",
                               ["source", "reason"])
INGEST_LAG = Histogram("hub_ingest_lag_seconds",
                       "Per stored batch: from the PBX time of its newest event to the batch's commit, per source",
                       ["source"], buckets=_LAG_BUCKETS)
CATALOGUE_EVENTS = Counter("hub_catalogue_events", "Catalogue events derived and stored, per trigger", ["trigger"])

DELIVERIES = Counter("hub_deliveries", "Deliveries that reached a final state, per outcome (delivered, failed)",
                     ["outcome", *ENDPOINT_LABELS])
DELIVERY_RETRIES = Counter("hub_delivery_retries_scheduled",
                           "Failed attempts after which the delivery waits for another", list(ENDPOINT_LABELS))
ATTEMPT_DURATION = Histogram("hub_delivery_attempt_duration_seconds",
                             "One request to a receiver, from sending to its answer or failure",
                             list(ENDPOINT_LABELS), buckets=_ATTEMPT_BUCKETS)
RECEIPT_LATENCY = Histogram("hub_delivery_receipt_latency_seconds",
                            "From a delivery's creation (in the ingest transaction that stored its event) to the "
                            "receiver's success answer, retries included", list(ENDPOINT_LABELS),
                            buckets=_RECEIPT_BUCKETS)
ENDPOINTS_DISABLED = Counter("hub_endpoints_disabled",
                             "Endpoints the hub disabled by itself, per reason (gone: a 410 answer; failing: no "
                             "success for WEBHOOK_DISABLE_AFTER_DAYS)", ["reason"])
SWEEP_LAST_RUN = Gauge("hub_delivery_sweep_last_run_timestamp_seconds",
                       "When beat's delivery sweep last ran in this worker (stale: beat is not running)",
                       multiprocess_mode="max")

HTTP_REQUESTS = Counter("hub_http_requests", "HTTP requests answered, per route name, method and status",
                        ["route", "method", "status"])
HTTP_DURATION = Histogram("hub_http_request_duration_seconds", "Time to answer an HTTP request, per route name",
                          ["route", "method"], buckets=_HTTP_BUCKETS)

CLICK_TO_CALLS = Counter("hub_click_to_calls",
                         "Click-to-call requests per outcome: accepted, ringing (the PBX rings the user), "
                         "connected, failed", ["outcome"])

INGEST_LAST_POLL = Gauge("hub_ingest_last_poll_timestamp_seconds",
                         "When the ingest process last polled its sources (stale: its loop is stuck)",
                         multiprocess_mode="max")
