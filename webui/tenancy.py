"""Which account a signed-in user is working in. Every page reaches data through this."""
from django.http import Http404

from hub.models import Membership
from hub.selectors.accounts import memberships_for_user

SESSION_KEY = "account_slug"


def current_membership(request) -> Membership:
    memberships = memberships_for_user(user=request.user)
    chosen = request.session.get(SESSION_KEY)
    membership = memberships.filter(account__slug=chosen).first() if chosen else None
    membership = membership or memberships.first()
    if membership is None:
        raise Http404("You are not a member of any account.")
    return membership
