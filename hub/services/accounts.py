from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from hub.crypto import keyed_hash
from hub.errors import Conflict, InvalidInput
from hub.models import Account, Membership, Pbx, PbxKind, Role
from hub.models.pbx import INGEST_TOKEN_PURPOSE
from hub.vocabulary.timezones import parse_timezone



def _slug_for(name: str, slug: str | None, *, field: str) -> str:
    result = slugify(slug or name)[:60]
    if not result:
        raise InvalidInput(field, f"cannot make a slug from {name!r}; give one with letters or digits")
    return result


def account_create(*, name: str, slug: str | None = None) -> Account:
    slug = _slug_for(name, slug, field="slug")
    if Account.objects.filter(slug=slug).exists():
        raise Conflict(f"an account with slug {slug!r} already exists")
    return Account.objects.create(name=name, slug=slug)


def pbx_create(*, account: Account, name: str, timezone: str, kind: str = PbxKind.THREECX,
               slug: str | None = None, default_region: str = "") -> tuple[Pbx, str]:
    """Create a PBX and return it with its ingest token (shown to the operator once here)."""
    try:
        parse_timezone(timezone)
    except ValueError as exc:
        raise InvalidInput("timezone", str(exc)) from None
    if kind not in PbxKind.values:
        raise InvalidInput("kind", f"expected one of {', '.join(PbxKind.values)}")
    slug = _slug_for(name, slug, field="pbx")
    if Pbx.objects.filter(slug=slug).exists():
        raise Conflict(f"a PBX with slug {slug!r} already exists")
    token = secrets.token_urlsafe(24)
    pbx = Pbx.objects.create(
        account=account, name=name, slug=slug, kind=kind, timezone=timezone.strip(),
        default_region=default_region.upper(), ingest_token=token,
        ingest_token_hash=keyed_hash(token, purpose=INGEST_TOKEN_PURPOSE),
    )
    return pbx, token


def membership_grant(*, account: Account, email: str, password: str | None, role: str = Role.OWNER) -> Membership:
    """Give the user with this e-mail (created if new) a role on the account."""
    users = get_user_model()
    user = users.objects.filter(username=email).first()
    if user is None:
        user = users.objects.create_user(username=email, email=email, password=password)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(user=user, account=account, defaults={"role": role})
    return membership


@transaction.atomic
def account_setup(*, name: str, pbx_name: str, timezone: str, slug: str | None = None,
                  admin_email: str | None = None, admin_password: str | None = None,
                  default_region: str = "") -> dict:
    """Everything a new customer needs in one transaction: account, PBX, first API key, admin."""
    from hub.services.api_keys import api_key_create

    account = account_create(name=name, slug=slug)
    pbx, token = pbx_create(account=account, name=pbx_name, timezone=timezone, default_region=default_region)
    _, key = api_key_create(account=account, name="default")
    if admin_email:
        membership_grant(account=account, email=admin_email, password=admin_password, role=Role.OWNER)
    return {"account": account.slug, "pbx": pbx.slug, "pbx_token": token, "api_key": key}
