"""A failed attempt in the admin's words: what happened and what to do about it.

The transport records an error class and the library's own message ("Cannot connect to host
127.0.0.1:9199 ssl:default [Connect call failed …]"); the console leads with a sentence an admin
can act on and keeps the raw text as a detail for whoever debugs the receiver.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Explained:
    title: str  # "Connection refused"
    advice: str  # what to do
    detail: str  # the raw message, for the curious


ADVICE = {
    "connection": ("Could not connect", "The receiver did not accept the connection. Check that it is running and that the URL's host and port are right."),
    "refused": ("Connection refused", "Nothing is listening at that host and port. Start the receiver, or correct the port in the URL."),
    "timeout": ("Timed out", "The receiver did not answer within the endpoint's timeout. Have it reply 2xx at once and do the work afterwards, or raise the timeout."),
    "dns": ("Host name not found", "The URL's host name does not resolve. Check it for typos."),
    "tls": ("TLS failed", "The secure connection could not be set up: the receiver's certificate is expired, self-signed or for another name. Fix the certificate, or use its correct host name."),
    "ssrf_refused": ("Address not allowed for this account", "The URL leads to a private or internal address, which the hub does not send to. Use the receiver's public address, or ask the hub's operator to allow that network."),
    "too_many_redirects": ("Too many redirects", "The receiver keeps redirecting. Use the final URL as the endpoint."),
    "invalid_url": ("Invalid URL", "Correct the endpoint's URL."),
    "invalid_request": ("Request could not be built", "A custom header holds a value that cannot be sent (a line break, for example). Correct the endpoint's headers."),
    "internal": ("Hub error", "The hub failed before sending. It retries; if this stays, tell the hub's operator."),
}
_REFUSED = re.compile(r"connection refused|connect call failed|errno 111", re.I)


def explain(error_class: str, message: str = "") -> Explained:
    key = "refused" if error_class == "connection" and _REFUSED.search(message or "") else error_class
    title, advice = ADVICE.get(key, ("Failed", ""))
    return Explained(title, advice, message or "")


def explain_reason(reason: str) -> Explained | None:
    """``"connection: Cannot connect …"`` (a delivery's last error) explained; None for HTTP statuses and ''."""
    error_class, colon, message = (reason or "").partition(": ")
    if not colon or error_class not in ADVICE:
        return None
    return explain(error_class, message)
