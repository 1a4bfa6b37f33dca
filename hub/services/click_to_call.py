"""Click-to-call: accept a request, drive the PBX from a worker, follow the call it becomes.

Status: queued → ringing_user (the PBX accepted the request and rings the user's devices) →
connected (the ingested call shows the number answered) or failed (with a reason). For 3CX and
the simulator the driver's reference is the call id their logs carry, so when the PBX's logs
are ingested the hub sees the answer and moves to connected; for ARI (and a 3CX whose logs are
not ingested) ringing_user is the last state the hub knows: the PBX took the call.

Placing is at most once: a worker claims a queued request by setting ``pbx_reference`` to
``placing`` with a conditional update, so a redelivered or re-enqueued task never rings the user
twice; a claim whose worker died is failed by the sweeper rather than placed again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import phonenumbers
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hub.errors import Conflict, InvalidInput, NotFound
from hub.metrics.record import click_to_call_record
from hub.models import Account, ApiKey, CallControl, CallState, ClickToCall, ClickToCallStatus, Pbx, PbxUser
from hub.selectors.click_to_call import PLACING, placed_call_find
from hub.services.audit import audit_record
from integrations.pbx_drivers import DRIVERS, DriverConfig, DriverError, driver_for

log = logging.getLogger(__name__)

PLACE_TASK, WATCH_TASK = "hub.click_to_call_place", "hub.click_to_call_watch"
# How long after the request the hub looks for the answer in the ingested logs.
WATCH_WINDOW = timedelta(minutes=5)
# A queued request nobody claimed this long after creation lost its broker message.
REENQUEUE_AFTER = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(hours=1)
SWEEP_BATCH = 200
Status = ClickToCallStatus


def number_normalise(number: str, *, region: str = "") -> str:
    """E.164 form of ``number``; a national number only when the PBX has a default region."""
    expected = "an E.164 number such as +61355501234" + (f" or a national number ({region})" if region else "")
    text = number.strip()
    if not text.startswith("+") and not region:
        raise InvalidInput("number_to_call", f"expected {expected}")
    try:
        parsed = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        raise InvalidInput("number_to_call", f"expected {expected}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("number_to_call", f"{text} is not a valid phone number; expected {expected}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def call_originate(*, account: Account, pbx: Pbx, user_number: str, number_to_call: str,
                   caller_id: str | None = None, api_key: ApiKey | None = None, user=None) -> ClickToCall:
    """Queue a click-to-call for ``api_key`` (the API) or ``user`` (the console); audited as either."""
    if pbx.account_id != account.pk:
        raise NotFound("pbx: no such PBX on this account")
    user_number = user_number.strip()
    if not PbxUser.objects.filter(pbx=pbx, number=user_number).exists():
        raise NotFound(f"user_number: no user {user_number} on PBX {pbx.name}")
    number = number_normalise(number_to_call, region=pbx.default_region)
    control = CallControl.objects.filter(pbx=pbx).first()
    if control is None:
        raise Conflict(f"click-to-call is not configured for PBX {pbx.name}")
    with transaction.atomic():
        click = ClickToCall.objects.create(account=account, pbx=pbx, api_key=api_key, user_number=user_number,
                                           number_to_call=number, caller_id=(caller_id or "").strip(),
                                           driver=control.driver)
        audit_record(account=account, user=user, api_key=api_key, action="click_to_call.placed", obj=click,
                     summary=f"asked PBX {pbx.name} to ring {user_number} and dial {number}")
        transaction.on_commit(lambda: enqueue(PLACE_TASK, click.pk))
    click_to_call_record(outcome="accepted")
    return click


def enqueue(task_name: str, click_id: int, *, countdown: float | None = None) -> None:
    # The row is the truth: if the broker is down the sweeper enqueues it later, so a failed
    # send must not turn an accepted request into an error.
    try:
        current_app.send_task(task_name, args=[click_id], countdown=countdown, retry=False)
    except Exception:  # noqa: BLE001 — any broker failure
        log.warning("click-to-call %s: could not enqueue %s; the sweeper will", click_id, task_name, exc_info=True)


def _update(click_id: int, *, when: dict, **values) -> bool:
    return ClickToCall.objects.filter(pk=click_id, **when).update(updated_at=timezone.now(), **values) == 1


def _driver_config(control: CallControl) -> DriverConfig:
    return DriverConfig(base_url=control.base_url, username=control.username, secret=control.secret,
                        context=control.context, timeout_seconds=float(control.timeout_seconds),
                        simulator_dir=control.simulator_dir)


def click_to_call_place(*, click_id: int) -> ClickToCall | None:
    """Claim a queued request and ask the PBX; None when another worker has it or it is done."""
    if not _update(click_id, when={"status": Status.QUEUED, "pbx_reference": ""}, pbx_reference=PLACING):
        return None
    click = ClickToCall.objects.select_related("pbx").get(pk=click_id)
    control = CallControl.objects.filter(pbx_id=click.pbx_id).first()
    try:
        if control is None:
            raise DriverError("click-to-call is no longer configured for this PBX")
        driver = driver_for(control.driver, _driver_config(control))
        result = driver.originate(user=click.user_number, number=click.number_to_call,
                                  caller_id=click.caller_id or None)
    except DriverError as exc:
        if _update(click_id, when={"status": Status.QUEUED, "pbx_reference": PLACING}, status=Status.FAILED,
                   reason=exc.reason, pbx_reference=""):
            click_to_call_record(outcome="failed")
    else:
        if _update(click_id, when={"status": Status.QUEUED, "pbx_reference": PLACING}, status=Status.RINGING_USER,
                   pbx_reference=result.reference[:100], driver=control.driver):
            click_to_call_record(outcome="ringing")
    click.refresh_from_db()
    return click


def click_to_call_watched(click: ClickToCall, *, now: datetime | None = None) -> bool:
    """Is the hub still looking for this call's answer in the ingested logs?"""
    driver = DRIVERS.get(click.driver)
    return (click.status == Status.RINGING_USER and driver is not None and driver.reference_is_log_call_id
            and (now or timezone.now()) - click.created_at < WATCH_WINDOW)


def click_to_call_refresh(*, click_id: int) -> ClickToCall:
    """Follow the ingested call: answered → connected; ended unanswered → failed."""
    click = ClickToCall.objects.get(pk=click_id)
    if click.status != Status.RINGING_USER:
        return click
    call = placed_call_find(click)
    if call is not None and call.connected_at is not None:
        if _update(click_id, when={"status": Status.RINGING_USER}, status=Status.CONNECTED):
            click_to_call_record(outcome="connected")
    elif call is not None and call.state != CallState.IN_PROGRESS:
        if _update(click_id, when={"status": Status.RINGING_USER}, status=Status.FAILED,
                   reason=f"the call ended without being answered ({call.closed_reason or 'not answered'})"):
            click_to_call_record(outcome="failed")
    click.refresh_from_db()
    return click


def click_to_calls_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: re-enqueue requests whose message was lost, fail dead claims, follow ringing calls."""
    now = now or timezone.now()
    recent = ClickToCall.objects.filter(created_at__gte=now - GIVE_UP_AFTER)
    lost = list(recent.filter(status=Status.QUEUED, pbx_reference="", created_at__lt=now - REENQUEUE_AFTER)
                .values_list("pk", flat=True)[:SWEEP_BATCH])
    for click_id in lost:
        enqueue(PLACE_TASK, click_id)
    lease = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    dead = ClickToCall.objects.filter(status=Status.QUEUED, pbx_reference=PLACING, updated_at__lt=now - lease).update(
        status=Status.FAILED, pbx_reference="", updated_at=now,
        reason="the worker stopped while placing the call; the PBX may or may not have rung the user")
    expired = ClickToCall.objects.filter(status=Status.QUEUED, pbx_reference="",
                                         created_at__lt=now - GIVE_UP_AFTER).update(
        status=Status.FAILED, updated_at=now, reason="no worker placed the call within an hour")
    click_to_call_record(outcome="failed", count=dead + expired)
    ringing = [c for c in recent.filter(status=Status.RINGING_USER, created_at__gte=now - WATCH_WINDOW)[:SWEEP_BATCH]
               if click_to_call_watched(c, now=now)]
    for click in ringing:
        click_to_call_refresh(click_id=click.pk)
    return {"reenqueued": len(lost), "failed": dead + expired, "followed": len(ringing)}
