"""Prometheus metrics of the hub (prometheus_client).

    families.py     what each process counts (ingest, catalogue, delivery, HTTP, click-to-call)
    record.py       the few calls the services make, once per batch, never per line
    state.py        gauges that are database state, read by one query each at scrape time (web only)
    access.py       who may scrape: a bearer token or an allowed address list
    exposition.py   GET /metrics on the web process (multiprocess under gunicorn)
    server.py       the worker's and the ingest process's own /metrics port
"""
