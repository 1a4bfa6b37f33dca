"""Rendering helpers every page shares: the account context, pagination, confirmations."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from hub.models import Role
from hub.selectors.accounts import memberships_for_user

PER_PAGE = 25


def page(request, template: str, context: dict | None = None, *, section: str = "", status: int = 200, zone=None):
    """Render a console page; ``zone`` replaces the account's zone (a call on another PBX)."""
    membership = request.membership
    zone = zone or request.zone
    with timezone.override(zone.tzinfo):
        return render(request, template, {
            "membership": membership, "account": membership.account,
            "memberships": memberships_for_user(user=request.user),
            "can_edit": membership.can_edit, "is_owner": membership.role == Role.OWNER,
            "section": section, "zone": zone, **(context or {}),
        }, status=status)


def paginate(request, items, per_page: int = PER_PAGE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def confirmed(request) -> bool:
    """Destructive POSTs carry confirm=yes once the admin agreed (in the dialog or on the page)."""
    return request.POST.get("confirm") == "yes"


def confirm_page(request, *, title: str, message: str, action: str, section: str = ""):
    """Without JavaScript a destructive form lands here first and asks again."""
    return page(request, "webui/confirm.html", {"title": title, "message": message, "action": action,
                                                 "fields": {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirm")}},
                section=section)


def form_errors_message(form) -> str:
    return "Please correct the highlighted fields." if form.errors else ""
