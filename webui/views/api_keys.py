from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from hub.services.api_keys import api_key_revoke
from hub.services.webui_api_keys import api_key_issue
from webui.flash import flash_pop_secret, flash_secret, post_only
from webui.forms.api import ApiKeyForm
from webui.pages import confirm_page, confirmed, page, paginate
from webui.selectors.access import api_key_list
from webui.tenancy import member_view

KEY_FLASH = "api-key"


@member_view
def key_list(request):
    account = request.membership.account
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_key = api_key_issue(account=account, user=request.user, name=form.cleaned_data["name"],
                                   scopes=form.cleaned_data["scopes"])
        flash_secret(request, KEY_FLASH, new_key)  # shown by the GET this redirects to, once
        return redirect("webui:api-keys")
    new_key = flash_pop_secret(request, KEY_FLASH)
    response = page(request, "webui/keys/list.html", {
        "form": form, "new_key": new_key, "page_obj": paginate(request, api_key_list(account=account)),
    }, section="api")
    response["Cache-Control"] = "no-store"  # a new key is on this page once; no cache keeps it
    return response


@member_view
@post_only("webui:api-keys")
def key_revoke(request, key_id: int):
    account = request.membership.account
    api_key = get_object_or_404(api_key_list(account=account), pk=key_id)
    if not confirmed(request):
        return confirm_page(request, title=f"Revoke “{api_key.name}”?", action="Revoke key", section="api",
                            message="Requests with this key are refused at once. This cannot be undone.")
    api_key_revoke(account=account, key_id=api_key.pk, actor=request.user.email or request.user.username, user=request.user)
    messages.success(request, f"Revoked “{api_key.name}”.")
    return redirect("webui:api-keys")
