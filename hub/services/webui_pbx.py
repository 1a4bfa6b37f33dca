"""A PBX's own settings, edited by an account's owners and admins in the console.

Name, time zone, default region, idle call timeout, the pushes' lateness allowance, and how the hub places click-to-call calls
on it (``CallControl``). The call-control secret is write-only: an empty value keeps the stored
one, and neither the audit log nor any reply carries its text.
"""
from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from hub.errors import InvalidInput
from hub.models import AuditEntry, CallControl, DriverKind, Pbx
from hub.services.audit import changes_between
from hub.vocabulary.timezones import parse_timezone

PBX_FIELDS = ("name", "timezone", "default_region", "idle_call_timeout", "push_lateness_seconds")
CONTROL_FIELDS = ("driver", "base_url", "username", "secret", "context", "timeout_seconds")
# driver "" (or None) means: no click-to-call on this PBX.
OFF = ""

MIN_IDLE_TIMEOUT = 60
MAX_IDLE_TIMEOUT = 30 * 86400
MAX_CONTROL_TIMEOUT = 300
# A push later than this is a late fact (docs/ingest.md, "Pushes"); every webhook of the PBX
# waits up to its allowance.
MAX_PUSH_LATENESS = 3600

# How the audit summary names each field (never their values for the secret).
LABELS = {
    "name": "name", "timezone": "time zone", "default_region": "default region",
    "idle_call_timeout": "idle call timeout", "push_lateness_seconds": "push lateness allowance", "driver": "call-control driver", "base_url": "call-control base URL",
    "username": "call-control username", "secret": "call-control secret", "context": "call-control context",
    "timeout_seconds": "call-control timeout",
}

_url = URLValidator(schemes=["http", "https"])


def _int(field: str, value: Any, *, low: int, high: int, unit: str = "seconds") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, "must be a whole number of seconds") from None
    if not low <= number <= high:
        raise InvalidInput(field, f"must be between {low} and {high} {unit}")
    return number


def _text(field: str, value: Any, *, max_length: int) -> str:
    text = str(value or "").strip()
    if len(text) > max_length:
        raise InvalidInput(field, f"at most {max_length} characters")
    return text


def _clean_pbx(fields: dict) -> dict:
    values = {}
    if "name" in fields:
        values["name"] = _text("name", fields["name"], max_length=200)
        if not values["name"]:
            raise InvalidInput("name", "give the PBX a name")
    if "timezone" in fields:
        text = str(fields["timezone"] or "").strip()
        try:
            parse_timezone(text)
        except ValueError as exc:
            raise InvalidInput("timezone", str(exc)) from None
        values["timezone"] = text
    if "default_region" in fields:
        region = str(fields["default_region"] or "").strip().upper()
        if region and (len(region) != 2 or not region.isalpha() or region not in phonenumbers.SUPPORTED_REGIONS):
            raise InvalidInput("default_region", f"{region!r} is not a two-letter region code such as AU or GB")
        values["default_region"] = region
    if "idle_call_timeout" in fields:
        values["idle_call_timeout"] = _int("idle_call_timeout", fields["idle_call_timeout"],
                                           low=MIN_IDLE_TIMEOUT, high=MAX_IDLE_TIMEOUT)
    if "push_lateness_seconds" in fields:
        value = fields["push_lateness_seconds"]
        values["push_lateness_seconds"] = None if value in (None, "") else _int(
            "push_lateness_seconds", value, low=0, high=MAX_PUSH_LATENESS)
    return values


def _clean_control(fields: dict, control: CallControl | None) -> dict | None:
    """The call-control values to store, ``None`` to remove it, or ``{}`` to leave it alone."""
    given = {name: fields[name] for name in CONTROL_FIELDS if name in fields}
    if not given:
        return {}
    driver = given.get("driver", control.driver if control else OFF) or OFF
    if driver == OFF:
        if "driver" not in given and any(v not in ("", None) for v in given.values()):
            raise InvalidInput("driver", "choose a driver to turn click-to-call on")
        return None
    if driver not in DriverKind.values:
        raise InvalidInput("driver", f"unknown driver {driver!r}; known: {', '.join(DriverKind.values)}")
    values: dict[str, Any] = {"driver": driver}
    if "base_url" in given:
        values["base_url"] = _text("base_url", given["base_url"], max_length=200)
        if values["base_url"]:
            try:
                _url(values["base_url"])
            except ValidationError:
                raise InvalidInput("base_url", "must be an http:// or https:// URL") from None
    if "username" in given:
        values["username"] = _text("username", given["username"], max_length=200)
    if "context" in given:
        values["context"] = _text("context", given["context"], max_length=100)
    if "timeout_seconds" in given:
        values["timeout_seconds"] = _int("timeout_seconds", given["timeout_seconds"], low=1, high=MAX_CONTROL_TIMEOUT)
    # Write-only: an empty secret keeps the stored one.
    if given.get("secret"):
        values["secret"] = str(given["secret"])

    def effective(name: str) -> str:
        return values[name] if name in values else (getattr(control, name) if control else "")

    if driver in (DriverKind.THREECX, DriverKind.ARI):
        vendor = DriverKind(driver).label
        if not effective("base_url"):
            raise InvalidInput("base_url", f"{vendor} needs the PBX's base URL")
        if not effective("username"):
            raise InvalidInput("username", f"{vendor} needs a {'client id' if driver == DriverKind.THREECX else 'user name'}")
        if not effective("secret"):
            raise InvalidInput("secret", f"{vendor} needs a {'client secret' if driver == DriverKind.THREECX else 'password'}")
    return values


def _snapshot(pbx: Pbx, control: CallControl | None) -> dict[str, Any]:
    values = {name: getattr(pbx, name) for name in PBX_FIELDS}
    values.update({name: getattr(control, name) if control else None for name in CONTROL_FIELDS})
    if control is None:
        values["driver"] = OFF
    return values


@transaction.atomic
def pbx_settings_update(*, pbx: Pbx, actor: str, user=None, **fields: Any) -> tuple[Pbx, list[str]]:
    """Validate and save a PBX's settings; return it with the names of the fields that changed.

    Accepts ``name``, ``timezone``, ``default_region``, ``idle_call_timeout``,
    ``push_lateness_seconds`` (None or "": the hub's default) and the call-control
    fields ``driver`` ("" removes call control), ``base_url``, ``username``, ``secret`` (empty keeps
    the stored one), ``context`` and ``timeout_seconds``. Raises InvalidInput naming the field.
    Every change is audited as ``pbx.updated``; the summary names fields, never the secret's value.
    """
    unknown = set(fields) - set(PBX_FIELDS) - set(CONTROL_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a setting of a PBX")
    locked = Pbx.objects.select_for_update().get(pk=pbx.pk)
    control = CallControl.objects.select_for_update().filter(pbx=locked).first()
    before = _snapshot(locked, control)
    pbx_values = _clean_pbx(fields)
    control_values = _clean_control(fields, control)

    changed = [name for name, value in pbx_values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, pbx_values[name])
    if changed:
        locked.save(update_fields=changed)

    removed = control_values is None and control is not None
    if removed:
        control.delete()
        changed.append("driver")
    elif control_values:
        new = control is None
        control = control or CallControl(pbx=locked)
        control_changed = [name for name, value in control_values.items() if new or getattr(control, name) != value]
        for name in control_changed:
            setattr(control, name, control_values[name])
        if new:
            control.save()
        elif control_changed:
            control.save(update_fields=control_changed)
        changed += control_changed

    if changed:
        if removed:
            summary = f"updated PBX {locked.slug}: turned click-to-call off"
            rest = [LABELS[name] for name in changed if name != "driver"]
            summary += f"; changed {', '.join(rest)}" if rest else ""
        else:
            summary = f"updated PBX {locked.slug}: changed " + ", ".join(LABELS[name] for name in changed)
        after = _snapshot(locked, None if removed else control)
        changes = changes_between({n: before.get(n) for n in changed}, {n: after.get(n) for n in changed},
                                  secret_fields={"secret"})
        AuditEntry.objects.create(account_id=locked.account_id, user=user, action="pbx.updated",
                                  actor=actor or getattr(user, "email", "") or "system",
                                  object_type="pbx", object_id=str(locked.pk), summary=summary, changes=changes)
    # The caller's instance shows what was saved.
    for name in PBX_FIELDS:
        setattr(pbx, name, getattr(locked, name))
    return pbx, changed
