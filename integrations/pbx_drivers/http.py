"""One place that turns requests' failures into readable DriverErrors."""
from __future__ import annotations

import requests

from integrations.pbx_drivers.base import DriverError

_BODY_SHOWN = 200


def body_excerpt(response: requests.Response) -> str:
    text = " ".join((response.text or "").split())
    return text[:_BODY_SHOWN] + ("…" if len(text) > _BODY_SHOWN else "")


def send(session: requests.Session, method: str, url: str, *, vendor: str, timeout: float,
         **kwargs) -> requests.Response:
    """One request with a connect and read timeout; any transport failure is a DriverError."""
    try:
        return session.request(method, url, timeout=(timeout, timeout), allow_redirects=False, **kwargs)
    except requests.Timeout:
        raise DriverError(f"{vendor} did not answer within {timeout:g} s ({method} {url})") from None
    except requests.ConnectionError as exc:
        raise DriverError(f"cannot connect to {vendor} at {url}: {_root(exc)}") from None
    except requests.RequestException as exc:
        raise DriverError(f"request to {vendor} failed ({method} {url}): {_root(exc)}") from None


def _root(exc: BaseException) -> str:
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return str(exc)[:_BODY_SHOWN] or exc.__class__.__name__


def json_of(response: requests.Response, *, vendor: str, what: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise DriverError(f"{vendor} answered {what} with something that is not JSON: "
                          f"{body_excerpt(response)!r}") from None
    if not isinstance(body, dict):
        raise DriverError(f"{vendor} answered {what} with unexpected JSON: {body_excerpt(response)!r}")
    return body
