"""The invitation link: a new user sets a password; someone with a sign-in joins once signed in as that address."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hub.errors import HubError, NotFound
from hub.selectors.team import invitation_for_token
from hub.services.invitations import invitation_accept, user_for_email
from webui.forms.common import add_service_error
from webui.forms.team import JoinForm
from webui.tenancy import SESSION_KEY


@never_cache
def join(request, token: str):
    try:
        invitation = invitation_for_token(token=token)
    except NotFound as exc:
        return _not_valid(request, exc)
    existing = user_for_email(invitation.email)
    if existing is None:
        return _new_user(request, token, invitation)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != existing.pk:
        return _page(request, invitation, wrong_user=True)
    if request.method == "POST":
        return _accepted(request, token, user=request.user)
    return _page(request, invitation)


def _new_user(request, token, invitation):
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        return _accepted(request, token, password=form.cleaned_data["password1"], form=form, invitation=invitation)
    return _page(request, invitation, form=form)


def _accepted(request, token, *, user=None, password=None, form=None, invitation=None):
    try:
        membership = invitation_accept(token=token, user=user, password=password)
    except NotFound as exc:
        return _not_valid(request, exc)
    except HubError as exc:
        if form is None:
            return render(request, "webui/error.html", {"status": 409, "title": "Not joined", "message": str(exc)},
                          status=409)
        add_service_error(form, exc, fields={"password": "password1"})
        return _page(request, invitation, form=form)
    if user is None:
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = membership.account.slug
    messages.success(request, f"Welcome to {membership.account.name}. Your role is {membership.get_role_display().lower()}.")
    return redirect("webui:dashboard")


def _not_valid(request, exc):
    return render(request, "webui/error.html", {"status": 404, "title": "Invitation not valid", "message": str(exc)},
                  status=404)


def _page(request, invitation, *, form=None, wrong_user=False):
    return render(request, "webui/team/join.html", {"invitation": invitation, "form": form, "wrong_user": wrong_user})
