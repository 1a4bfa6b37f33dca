"""Credentials masked out of every log line the web process writes.

A push URL carries its PBX's ingest token (the 3CX plugin can send it nowhere else), so the
servers' access logs and Django's request warnings ("Bad Request: /ingest/events/<token>/")
wrote it in clear, as they would a bearer or API key header a log format names. Every line
passes through ``redact``: Django's handlers through ``RedactSecrets`` (settings.LOGGING), and
gunicorn's access and error logs through ``GunicornLogger`` (gunicorn.conf.py).
"""
from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

MASK = "***"
_PATTERNS = [
    # The token path segment of the push URLs, up to the query string or the end of the URL.
    (re.compile(r"(/ingest/(?:events|3cx-webhook)/)[^\s?#\"'<>]+"), rf"\g<1>{MASK}"),
    # A team invitation link's token: until it is used, it lets anyone join the account.
    # (also URL-encoded, as the sign-in page's ?next= carries it for someone who must sign in first).
    (re.compile(r"(?i)((?:/|%2F)join(?:/|%2F))[A-Za-z0-9_-]+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)(\bbearer\s+)[^\s\"',]+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)(\b(?:x-pbx-token|x-api-key|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), rf"\g<1>{MASK}"),
    (re.compile(r"\bpbxh_[A-Za-z0-9]+_[A-Za-z0-9_-]+"), f"pbxh_{MASK}"),  # an API key anywhere
]
# Request headers that carry credentials, whole values masked: gunicorn's access log format can
# name them as {header}i atoms, or as {http_header}e from the WSGI environ.
_SECRET_HEADERS = ("authorization", "x-pbx-token", "x-api-key", "token")
_SECRET_ATOMS = frozenset([f"{{{h}}}i" for h in _SECRET_HEADERS]
                          + [f"{{http_{h.replace('-', '_')}}}e" for h in _SECRET_HEADERS])


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler filter: the record's message, credentials masked (arguments merged in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with the request line, path and credential headers of each access log
    line masked, and every error log line filtered like Django's."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactSecrets())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom, as a format may name any of them (the request line, the path, the
        # referrer, RAW_URI from the environ…).
        return {name: MASK if name in _SECRET_ATOMS else redact(value) if isinstance(value, str) else value
                for name, value in atoms.items()}
