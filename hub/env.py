"""Typed readers for environment variables.

Every setting comes from the environment. A malformed value stops start-up with a message
naming the variable, rather than running with a silently wrong configuration.
"""
from __future__ import annotations

import ipaddress
import os
import sys

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off"}
# sysexits.h EX_CONFIG: what a process exits with when its configuration stops it.
EXIT_CONFIG = 78


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected one of 1/0/true/false/on/off, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> tuple[int, ...]:
    items = env_list(name, [str(i) for i in default])
    if not items or not all(item.isdigit() for item in items):
        raise ImproperlyConfigured(f"{name}: expected comma-separated whole numbers, got {','.join(items)!r}")
    return tuple(int(item) for item in items)


def env_networks(name: str, default: list[str] | None = None) -> list[ipaddress._BaseNetwork]:
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or CIDR range") from None
    return networks


def settings_load_or_exit(*, program: str) -> None:
    """Load the Django settings, or end the program with what is wrong and how to fix it.

    An unset or malformed variable raises ImproperlyConfigured from hub/settings.py, whose
    message names the variable; the traceback around it only hides that message.
    """
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 — the first access reads hub/settings.py
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"{program}: {exc}\n")
        raise SystemExit(EXIT_CONFIG) from None
