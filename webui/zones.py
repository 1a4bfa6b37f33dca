"""The one time zone a console page speaks: its phone system's.

Times are stored in UTC. A page activates its zone once (``member_view``), so Django's ``date``
filter, ``timesince`` and every form's date-time fields read and write that zone; converting in
a template filter as well would convert twice (Django's ``date`` filter turns an aware datetime
back into the active zone).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone as dt_timezone, tzinfo

from hub.selectors.accounts import pbx_list
from hub.vocabulary.timezones import parse_timezone


@dataclass(frozen=True)
class Zone:
    tzinfo: tzinfo
    name: str  # what the page says: "Australia/Melbourne", "UTC+11:00"


UTC = Zone(dt_timezone.utc, "UTC")


def pbx_zone(pbx) -> Zone:
    """A PBX's own zone; UTC (said so on the page) if what is stored no longer parses."""
    try:
        tz = parse_timezone(pbx.timezone)
    except ValueError:
        return UTC
    name = pbx.timezone.strip()
    return Zone(tz, name if "/" in name or name in ("UTC", "GMT") else f"UTC{name.removeprefix('UTC').removeprefix('GMT')}")


def account_zone(account) -> Zone:
    """The account's first phone system's zone (most accounts have one); UTC without one."""
    pbx = pbx_list(account=account).first()
    return pbx_zone(pbx) if pbx else UTC
