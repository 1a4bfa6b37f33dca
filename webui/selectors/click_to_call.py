"""Click-to-call requests and the users they can ring, through the account."""
from __future__ import annotations

from django.db.models import QuerySet

from hub.models import Account, ClickToCall, ClickToCallStatus, PbxUser

SETTLED = (ClickToCallStatus.CONNECTED, ClickToCallStatus.FAILED)


def dialable_users(*, account: Account) -> QuerySet[PbxUser]:
    """Users on the account's PBXes that have click-to-call configured."""
    return (PbxUser.objects.filter(pbx__account=account, pbx__call_control__isnull=False)
            .select_related("pbx").order_by("pbx__name", "number"))


def click_to_call_list(*, account: Account) -> QuerySet[ClickToCall]:
    return ClickToCall.objects.filter(account=account).select_related("pbx", "api_key").order_by("-created_at", "-id")
