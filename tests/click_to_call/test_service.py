"""call_originate's checks, the worker's status transitions, the sweeper."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.click_to_call_tasks import place
from hub.errors import Conflict, InvalidInput, NotFound
from hub.models import ClickToCall, DriverKind
from hub.services.click_to_call import (PLACE_TASK, call_originate, click_to_call_place, click_to_calls_sweep)
from tests.click_to_call.fake_pbx import FakePbx, Reply
from tests.click_to_call.helpers import pbx_with_users
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def originate(account, pbx, number="+61355501234", user="101", **kw):
    return call_originate(account=account, pbx=pbx, user_number=user, number_to_call=number, **kw)


def test_e164_number_is_accepted_and_queued_with_a_task_after_commit(enqueued, django_capture_on_commit_callbacks):
    account, pbx = pbx_with_users("acme", "101")
    with django_capture_on_commit_callbacks(execute=True):
        click = originate(account, pbx, number=" +61 3 5550 1234 ", caller_id="+61390000000")
    assert (click.status, click.number_to_call, click.driver, click.caller_id) == (
        "queued", "+61355501234", "simulator", "+61390000000")
    assert enqueued == [(PLACE_TASK, click.pk)]


@pytest.mark.parametrize("number", ["0355501234", "03 5550 1234", "0412 345 678"])
def test_national_number_accepted_with_the_pbx_region(number):
    account, pbx = pbx_with_users("acme", "101", region="AU")
    assert originate(account, pbx, number=number).number_to_call.startswith("+61")


@pytest.mark.parametrize("number, region", [("0355501234", ""), ("12345", "AU"), ("+6112", ""), ("call me", ""),
                                            ("+999123456789", "")])
def test_invalid_numbers_are_refused_naming_the_parameter(number, region):
    account, pbx = pbx_with_users("acme", "101", region=region)
    with pytest.raises(InvalidInput, match="^number_to_call: "):
        originate(account, pbx, number=number)
    assert not ClickToCall.objects.exists()


def test_unknown_user_is_not_found():
    account, pbx = pbx_with_users("acme", "101")
    with pytest.raises(NotFound, match="user_number: no user 999"):
        originate(account, pbx, user="999")


def test_another_accounts_pbx_is_not_found():
    account, _ = pbx_with_users("acme", "101")
    _, other_pbx = pbx_with_users("globex", "101")
    with pytest.raises(NotFound):
        originate(account, other_pbx)


def test_pbx_without_call_control_is_a_conflict():
    account, pbx, _ = make_account("bare")
    pbx.users.create(number="101")
    with pytest.raises(Conflict, match="not configured"):
        originate(account, pbx)


def test_driver_failure_ends_failed_with_the_reason_in_bounded_time():
    with FakePbx(lambda seen: Reply(200, {}, delay=3)) as ari:
        account, pbx = pbx_with_users("acme", "101", driver=DriverKind.ARI, base_url=ari.url, timeout_seconds=1)
        click = originate(account, pbx)
        started = time.monotonic()
        assert place.apply(args=[click.pk]).get() == "failed"
    assert time.monotonic() - started < 3
    click.refresh_from_db()
    assert click.status == "failed" and "did not answer within 1 s" in click.reason
    assert click.pbx_reference == ""


def test_ari_accepted_is_ringing_user_with_the_channel_id():
    with FakePbx(lambda seen: Reply(200, {"id": "chan-1"})) as ari:
        account, pbx = pbx_with_users("acme", "101", driver=DriverKind.ARI, base_url=ari.url)
        click = originate(account, pbx)
        assert place.apply(args=[click.pk]).get() == "ringing_user"
    click.refresh_from_db()
    assert (click.status, click.pbx_reference) == ("ringing_user", "chan-1")


def test_a_claimed_call_is_never_placed_twice():
    with FakePbx(lambda seen: Reply(200, {"id": "chan-1"})) as ari:
        account, pbx = pbx_with_users("acme", "101", driver=DriverKind.ARI, base_url=ari.url)
        click = originate(account, pbx)
        click_to_call_place(click_id=click.pk)
        assert click_to_call_place(click_id=click.pk) is None
    assert len(ari.seen) == 1


def test_simulator_not_running_fails_with_a_hint(tmp_path):
    account, pbx = pbx_with_users("acme", "101", simulator_dir=str(tmp_path), timeout_seconds=1)
    click = originate(account, pbx)
    place.apply(args=[click.pk])
    click.refresh_from_db()
    assert click.status == "failed" and "is simulate_pbx running" in click.reason
    assert not list((tmp_path / "click_to_call").glob("*.json")), "the request is withdrawn"


def test_sweeper_reenqueues_lost_requests_and_fails_dead_claims(enqueued):
    account, pbx = pbx_with_users("acme", "101")
    lost, dead, fresh = (originate(account, pbx) for _ in range(3))
    past = timezone.now() - timedelta(minutes=20)
    ClickToCall.objects.filter(pk=lost.pk).update(created_at=past)
    ClickToCall.objects.filter(pk=dead.pk).update(created_at=past, updated_at=past, pbx_reference="placing")
    counts = click_to_calls_sweep()
    assert enqueued == [(PLACE_TASK, lost.pk)]
    assert counts["reenqueued"] == 1 and counts["failed"] == 1
    dead.refresh_from_db()
    assert dead.status == "failed" and "may or may not have rung" in dead.reason
    fresh.refresh_from_db()
    assert fresh.status == "queued"
