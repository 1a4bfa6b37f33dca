"""Which account a signed-in user is working in, and what their role lets them do.

Every page reaches data through ``request.membership``; an object of another account is a 404.
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from hub.errors import NotFound
from hub.models import Membership, Role
from hub.selectors.accounts import memberships_for_user
from webui.zones import account_zone

SESSION_KEY = "account_slug"


def current_membership(request) -> Membership:
    memberships = memberships_for_user(user=request.user)
    chosen = request.session.get(SESSION_KEY)
    membership = memberships.filter(account__slug=chosen).first() if chosen else None
    membership = membership or memberships.first()
    if membership is None:
        raise Http404("You are not a member of any account.")
    return membership


def _refuse(request, message: str):
    return render(request, "webui/error.html", {"status": 403, "title": "Not allowed", "message": message}, status=403)


VIEWER_REFUSAL = "Your role is viewer: you can look, but not change anything."


def member_view(view=None, *, owner_only: bool = False, editors_only: bool = False):
    """Signed-in members only; any POST needs an editing role (owner or admin).

    Viewers read every page but change nothing, so one rule here covers every form. A page that
    is nothing but a form (create, edit) is ``editors_only``: a viewer is refused on GET too,
    rather than filling the form in and learning on Save that it cannot be saved.
    """
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.membership = membership = current_membership(request)
            if owner_only and membership.role != Role.OWNER:
                return _refuse(request, "Only the account's owners can see this page.")
            if (editors_only or request.method == "POST") and not membership.can_edit:
                return _refuse(request, VIEWER_REFUSAL)
            # Every time on the page, and every time typed into a form, is in this zone.
            request.zone = account_zone(membership.account)
            try:
                with timezone.override(request.zone.tzinfo):
                    return view(request, *args, **kwargs)
            except (Http404, NotFound):
                return render(request, "webui/error.html", {
                    "status": 404, "title": "Not found",
                    "message": "There is nothing here, or it belongs to another account."}, status=404)
        return wrapped
    return decorate(view) if view is not None else decorate
