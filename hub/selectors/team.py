"""Who is on an account's team, and its pending invitations. Every query starts from the account."""
from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from hub.crypto import keyed_hash
from hub.errors import NotFound
from hub.models import Invitation, Membership, Role
from hub.models.invitations import INVITATION_TOKEN_PURPOSE

_ROLE_ORDER = Case(*(When(role=role, then=Value(i)) for i, role in enumerate(Role.values)), output_field=IntegerField())


def team_members(*, account) -> QuerySet[Membership]:
    """Owners first, then admins, then viewers; by e-mail within each."""
    return (Membership.objects.filter(account=account).select_related("user")
            .order_by(_ROLE_ORDER, "user__email", "user__username"))


def team_member_get(*, account, membership_id: int) -> Membership:
    member = team_members(account=account).filter(pk=membership_id).first()
    if member is None:
        raise NotFound("no such member in this account")
    return member


def invitations_pending(*, account) -> QuerySet[Invitation]:
    return Invitation.objects.filter(account=account).select_related("invited_by")


def invitation_get(*, account, invitation_id: int) -> Invitation:
    invitation = invitations_pending(account=account).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("no such invitation in this account")
    return invitation


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link's token opens, if it has not expired. Looked up by the token's HMAC."""
    invitation = (Invitation.objects.select_related("account")
                  .filter(token_hash=keyed_hash(token, purpose=INVITATION_TOKEN_PURPOSE), expires_at__gt=timezone.now())
                  .first())
    if invitation is None:
        raise NotFound("This invitation link is not valid: it was used, withdrawn or has expired. "
                       "Ask the account's owner for a new one.")
    return invitation
