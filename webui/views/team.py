"""Owners' team page: invite people by e-mail, set their roles, remove them."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from hub.errors import HubError, NotFound
from hub.models import Role
from hub.selectors.team import invitations_pending, team_members
from hub.services.invitations import invitation_create, invitation_mail, invitation_renew, invitation_revoke, mail_configured
from hub.services.team import member_remove, member_role_set
from webui.forms.common import add_service_error
from webui.forms.team import InviteForm, RoleForm
from webui.pages import confirm_page, confirmed, page
from webui.tenancy import member_view

# The link of an invitation no mail server carried: on the next view of the team page only.
LINK_KEY = "team_invitation_link"


@member_view(owner_only=True)
def team(request):
    account = request.membership.account
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invitation_create(account=account, user=request.user, **form.cleaned_data)
        except HubError as exc:
            add_service_error(form, exc)
        else:
            _deliver(request, invitation, token)
            return redirect("webui:team")
    link = request.session.pop(LINK_KEY, None)
    if link and link.get("account") != account.pk:
        link = None  # made in another of the owner's accounts, which they have since left for this one
    response = page(request, "webui/team/list.html", {
        "form": form, "members": team_members(account=account), "invitations": invitations_pending(account=account),
        "role_choices": Role.choices, "new_link": link, "mail_configured": mail_configured(),
    }, section="team")
    if link:
        response["Cache-Control"] = "no-store"  # the link opens the account: no cache keeps it
    return response


def _deliver(request, invitation, token) -> None:
    """Mail the link where a mail server is configured; otherwise (or if mailing fails) show it once."""
    link = request.build_absolute_uri(reverse("webui:join", args=[token]))
    try:
        if invitation_mail(invitation=invitation, link=link):
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return
        messages.success(request, f"Invitation for {invitation.email} is ready. No mail server is configured: "
                                  "send them the link below.")
    except HubError as exc:
        messages.error(request, f"{exc} Send {invitation.email} the link below yourself.")
    request.session[LINK_KEY] = {"account": invitation.account_id, "email": invitation.email, "link": link}


def _back(request):
    # An owner who just demoted or removed themselves can no longer open the team page.
    still_owner = request.user.memberships.filter(account=request.membership.account, role=Role.OWNER).exists()
    return redirect("webui:team" if still_owner else "webui:dashboard")


@member_view(owner_only=True)
@require_POST
def member_role(request, membership_id: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, admin or viewer.")
        return redirect("webui:team")
    try:
        member = member_role_set(account=request.membership.account, membership_id=membership_id,
                                 role=form.cleaned_data["role"], user=request.user)
    except NotFound:
        raise  # another account's member: member_view answers 404
    except HubError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.user.email or member.user.username} is now {member.get_role_display().lower()}.")
    return _back(request)


@member_view(owner_only=True)
@require_POST
def member_delete(request, membership_id: int):
    if not confirmed(request):
        return confirm_page(request, title="Remove this member?", action="Remove member", section="team",
                            message="They lose access to this account at once. Their sign-in stays for other accounts.")
    try:
        member = member_remove(account=request.membership.account, membership_id=membership_id, user=request.user)
    except NotFound:
        raise
    except HubError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Removed {member.user.email or member.user.username} from the team.")
    return _back(request)


@member_view(owner_only=True)
@require_POST
def invitation_new_link(request, invitation_id: int):
    invitation, token = invitation_renew(account=request.membership.account, invitation_id=invitation_id, user=request.user)
    _deliver(request, invitation, token)
    return redirect("webui:team")


@member_view(owner_only=True)
@require_POST
def invitation_withdraw(request, invitation_id: int):
    invitation = invitation_revoke(account=request.membership.account, invitation_id=invitation_id, user=request.user)
    messages.success(request, f"Withdrew the invitation of {invitation.email}; its link no longer works.")
    return redirect("webui:team")
