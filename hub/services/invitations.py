"""Invitations: an owner asks someone to join by e-mail; the link sets their password and joins them.

A link is a random token shown or mailed once; the hub keeps its HMAC. Someone who already has a
sign-in (a member of another account) keeps their password: the link only adds this account,
and only once they have signed in as that address, so a link never lets anyone set or learn
another user's password.
"""
from __future__ import annotations

import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hub.crypto import keyed_hash
from hub.errors import Conflict, HubError, InvalidInput
from hub.models import Account, Invitation, Membership
from hub.models.invitations import INVITATION_TOKEN_PURPOSE
from hub.selectors.team import invitation_for_token, invitation_get
from hub.services.team import owner_check, role_check
from hub.services.audit import audit_record, changes_between


def user_for_email(email: str):
    """The hub's user with this sign-in address (usernames are e-mail addresses), if any."""
    return get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by("pk").first()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = keyed_hash(token, purpose=INVITATION_TOKEN_PURPOSE)
    invitation.expires_at = timezone.now() + timedelta(days=settings.HUB_INVITATION_DAYS)
    return token


@transaction.atomic
def invitation_create(*, account: Account, email: str, role: str, user) -> tuple[Invitation, str]:
    """A new invitation and its link's token. Inviting the same address again replaces its link."""
    email = email.strip().lower()
    role_check(role)
    owner_check(account=account, user=user)
    member = user_for_email(email)
    if member and Membership.objects.filter(account=account, user=member).exists():
        raise InvalidInput("email", f"Already a member of this account: {email}.")
    Invitation.objects.filter(account=account, email=email).delete()
    invitation = Invitation(account=account, email=email, role=role, invited_by=user)
    token = _new_token(invitation)
    invitation.save()
    audit_record(account=account, user=user, action="member.invited", obj=invitation,
                 summary=f"Invited {email} as {invitation.get_role_display()}",
                 changes={"email": [None, email], "role": [None, invitation.role]})
    return invitation, token


@transaction.atomic
def invitation_renew(*, account: Account, invitation_id: int, user) -> tuple[Invitation, str]:
    """A fresh link (and expiry) for a pending invitation; the old link stops working."""
    owner_check(account=account, user=user)
    invitation = invitation_get(account=account, invitation_id=invitation_id)
    expired_at = invitation.expires_at
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    audit_record(account=account, user=user, action="invitation.renewed", obj=invitation,
                 summary=f"New invitation link for {invitation.email}",
                 changes=changes_between({"expires_at": expired_at}, {"expires_at": invitation.expires_at}))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, account: Account, invitation_id: int, user) -> Invitation:
    owner_check(account=account, user=user)
    invitation = invitation_get(account=account, invitation_id=invitation_id)
    audit_record(account=account, user=user, action="invitation.revoked", obj=invitation,
                 summary=f"Withdrew the invitation of {invitation.email}",
                 changes={"email": [invitation.email, None], "role": [invitation.role, None]})
    invitation.delete()
    return invitation


def mail_configured() -> bool:
    return bool(settings.EMAIL_HOST)


def invitation_mail(*, invitation: Invitation, link: str) -> bool:
    """Mail the link through Django's e-mail backend. False when no mail server is configured."""
    if not mail_configured():
        return False
    inviter = invitation.invited_by.email if invitation.invited_by else "An owner"
    body = (f"{inviter} invited you to the account “{invitation.account.name}” on the PBX webhook hub "
            f"as {invitation.get_role_display().lower()}.\n\nOpen this link to join:\n{link}\n\n"
            f"It works once, until {invitation.expires_at:%d %b %Y %H:%M} UTC.\n")
    try:
        send_mail(f"Join {invitation.account.name} on the PBX webhook hub", body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as exc:
        raise HubError(f"The invitation was not mailed: {_mail_failure(exc)}.") from None
    return True


def _mail_failure(exc: Exception) -> str:
    """What went wrong, in an owner's words (the operator's mail settings are named where they are the cause)."""
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the mail server at {where} refused the hub's user name or password (EMAIL_HOST_USER, EMAIL_HOST_PASSWORD)"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing accepted the connection at {where} (check EMAIL_HOST and EMAIL_PORT)"
    if isinstance(exc, TimeoutError):
        return f"the mail server at {where} did not answer in time"
    return f"the mail server at {where} failed ({exc.__class__.__name__})"


@transaction.atomic
def invitation_accept(*, token: str, user=None, password: str | None = None) -> Membership:
    """Join the invitation's account: as ``user`` if the address has a sign-in, else as a new user with ``password``."""
    found = invitation_for_token(token=token)
    # Locked and read again: of two tabs accepting at once, the second finds it gone.
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("account", "invited_by").filter(pk=found.pk).first()
    if invitation is None:
        invitation_for_token(token=token)  # raises the same NotFound
    existing = user_for_email(invitation.email)
    if existing is not None:
        if user is None or user.pk != existing.pk:
            raise Conflict(f"Sign in as {invitation.email} to accept this invitation.")
    elif not password:
        raise InvalidInput("password", "choose a password")
    else:
        user = get_user_model().objects.create_user(username=invitation.email, email=invitation.email, password=password)
    membership, _ = Membership.objects.get_or_create(user=user, account=invitation.account,
                                                     defaults={"role": invitation.role})
    audit_record(account=invitation.account, user=user, action="member.joined", obj=membership,
                 summary=f"{invitation.email} joined as {membership.get_role_display()} (invited by "
                         f"{invitation.invited_by.email if invitation.invited_by else 'a former member'})",
                 changes={"member": [None, invitation.email], "role": [None, membership.role]})
    invitation.delete()
    return membership
