"""What a POST hands to the page it redirects to, shown on exactly one page view.

POST/redirect/GET: a refresh repeats the GET, never the action. A secret travels encrypted
(the session table is not a place for plaintext keys) and is gone once the page has read it.
"""
from __future__ import annotations

from functools import wraps

from django.shortcuts import redirect

from hub.crypto import decrypt, encrypt

_PREFIX = "flash:"


def flash_put(request, name: str, value) -> None:
    request.session[_PREFIX + name] = value


def flash_pop(request, name: str, default=None):
    return request.session.pop(_PREFIX + name, default)


def flash_secret(request, name: str, secret: str) -> None:
    flash_put(request, name, encrypt(secret))


def flash_pop_secret(request, name: str) -> str | None:
    token = flash_pop(request, name)
    return decrypt(token) if token else None


def post_only(to: str, arg: str | None = None):
    """A POST-only URL opened with GET (a bookmark, the address bar) goes to page ``to`` (given
    the view's keyword argument ``arg``), not to an empty 405."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return redirect(to, *([kwargs[arg]] if arg else []))
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
