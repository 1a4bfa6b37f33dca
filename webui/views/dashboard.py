from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hub.selectors.accounts import memberships_for_user, pbx_list
from webui.tenancy import SESSION_KEY, current_membership


@login_required
def dashboard(request):
    membership = current_membership(request)
    return render(request, "webui/dashboard.html", {
        "membership": membership,
        "memberships": memberships_for_user(user=request.user),
        "pbxes": pbx_list(account=membership.account),
    })


@login_required
@require_POST
def switch_account(request):
    slug = request.POST.get("account", "")
    if memberships_for_user(user=request.user).filter(account__slug=slug).exists():
        request.session[SESSION_KEY] = slug
    return redirect("webui:dashboard")
