"""Owners manage their account's team: change a member's role, remove a member.

The account always keeps an owner: changes are serialised per account (its row is locked), so
two owners demoting each other at once cannot leave it with none.
"""
from __future__ import annotations

from django.db import transaction

from hub.errors import Conflict, InvalidInput, NotAllowed
from hub.models import Account, Membership, Role
from hub.selectors.team import team_member_get
from hub.services.audit import audit_record


def role_check(role: str) -> None:
    if role not in Role.values:
        raise InvalidInput("role", f"choose one of {', '.join(Role.labels).lower()}")


def owner_check(*, account: Account, user) -> None:
    if not Membership.objects.filter(account=account, user=user, role=Role.OWNER).exists():
        raise NotAllowed("Only the account's owners can manage its team.")


def _lock_team(account: Account) -> None:
    Account.objects.select_for_update().filter(pk=account.pk).first()


def _keep_an_owner(member: Membership, doing: str) -> None:
    owners = Membership.objects.filter(account_id=member.account_id, role=Role.OWNER).count()
    if member.role == Role.OWNER and owners <= 1:
        raise Conflict(f"{_name(member)} is the account's last owner and cannot be {doing}: "
                       "make another member an owner first.")


def _name(member: Membership) -> str:
    return member.user.email or member.user.username


@transaction.atomic
def member_role_set(*, account: Account, membership_id: int, role: str, user) -> Membership:
    role_check(role)
    _lock_team(account)
    owner_check(account=account, user=user)
    member = team_member_get(account=account, membership_id=membership_id)
    if member.role == role:
        return member
    if role != Role.OWNER:
        _keep_an_owner(member, "demoted")
    before, before_role = member.get_role_display(), member.role
    member.role = role
    member.save(update_fields=["role"])
    audit_record(account=account, user=user, action="member.role_changed", obj=member,
                 summary=f"{_name(member)}: role {before} → {member.get_role_display()}",
                 changes={"role": [before_role, member.role]})
    return member


@transaction.atomic
def member_remove(*, account: Account, membership_id: int, user) -> Membership:
    _lock_team(account)
    owner_check(account=account, user=user)
    member = team_member_get(account=account, membership_id=membership_id)
    _keep_an_owner(member, "removed")
    audit_record(account=account, user=user, action="member.removed", obj=member,
                 summary=f"Removed {_name(member)} ({member.get_role_display()})",
                 changes={"member": [_name(member), None], "role": [member.role, None]})
    member.delete()
    return member
