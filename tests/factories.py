"""Small builders for test data, going through the same services the product uses."""
from hub.models import Role
from hub.services.accounts import account_create, membership_grant, pbx_create


def make_account(slug: str = "acme", *, pbx_slug: str | None = None, timezone: str = "Australia/Melbourne"):
    account = account_create(name=slug.title(), slug=slug)
    pbx, token = pbx_create(account=account, name=f"{slug} PBX", slug=pbx_slug or f"{slug}-pbx", timezone=timezone)
    return account, pbx, token


def make_member(account, email: str, role: str = Role.ADMIN, password: str = "correct horse battery"):
    return membership_grant(account=account, email=email, password=password, role=role).user
