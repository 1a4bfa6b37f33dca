"""Structured log lines: one per request, delivery attempt and ingest batch, carrying the
account, PBX, webhook-id, call id and request id that let an operator follow one event from the
PBX line to the receiver's answer. LOG_FORMAT=json writes each line as a JSON object.

    context.py      the fields every line of a request or task carries (its request id, account…)
    formatters.py   text (key=value after the message) and JSON; both mask credentials
"""
