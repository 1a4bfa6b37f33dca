"""Reads for click-to-call: which PBX a request goes to, a request's state, the call it became."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hub.errors import InvalidInput, NotFound
from hub.models import Account, Call, ClickToCall, Pbx, PbxUser

# A PBX reuses call ids (3CX restarts its counter), so the ingested call must start near the request.
CALL_MATCH_SLACK = timedelta(minutes=2)
# pbx_reference while a worker is placing the call (the claim; see services/click_to_call.py).
PLACING = "placing"


def originate_pbx_pick(*, account: Account, user_number: str, pbx_slug: str | None = None) -> Pbx:
    """The account's PBX a click-to-call goes to: the named one, else the one the user is on."""
    pbxes = Pbx.objects.filter(account=account)
    if pbx_slug:
        pbx = pbxes.filter(slug=pbx_slug).first()
        if pbx is None:
            raise NotFound(f"pbx: no PBX {pbx_slug!r} on this account")
        return pbx
    candidates = list(pbxes.filter(pk__in=PbxUser.objects.filter(number=user_number).values("pbx_id")))
    if not candidates:
        raise NotFound(f"user_number: no user {user_number} on this account's PBX")
    if len(candidates) > 1:
        raise InvalidInput("pbx", f"user {user_number} exists on several PBXes "
                                  f"({', '.join(sorted(p.slug for p in candidates))}); name one")
    return candidates[0]


def placed_call_find(click: ClickToCall) -> Call | None:
    """The ingested call a placed click-to-call became, when the PBX's logs are ingested."""
    if not click.pbx_reference or click.pbx_reference == PLACING:
        return None
    return (Call.objects.filter(pbx_id=click.pbx_id, pbx_call_id=click.pbx_reference,
                                call_start_at__gte=click.created_at - CALL_MATCH_SLACK)
            .order_by("call_start_at").first())


@dataclass(frozen=True)
class ClickToCallDetail:
    click: ClickToCall
    call: Call | None


def click_to_call_detail(*, account: Account, click_id: int) -> ClickToCallDetail:
    click = ClickToCall.objects.filter(account=account, pk=click_id).select_related("pbx").first()
    if click is None:
        raise NotFound(f"no click-to-call {click_id} on this account")
    return ClickToCallDetail(click=click, call=placed_call_find(click))
