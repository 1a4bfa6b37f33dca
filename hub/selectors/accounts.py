from __future__ import annotations

from django.db.models import QuerySet

from hub.errors import NotFound
from hub.models import Account, Membership, Pbx


def account_get(*, slug: str) -> Account:
    """For operators' commands only: user-facing code reaches accounts through memberships."""
    account = Account.objects.filter(slug=slug).first()
    if account is None:
        raise NotFound(f"no account with slug {slug!r}")
    return account


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("account").order_by("account__name")


def pbx_list(*, account: Account) -> QuerySet[Pbx]:
    return Pbx.objects.filter(account=account)


def pbx_get(*, account: Account, slug: str) -> Pbx:
    pbx = pbx_list(account=account).filter(slug=slug).first()
    if pbx is None:
        raise NotFound(f"no PBX with slug {slug!r}")
    return pbx
