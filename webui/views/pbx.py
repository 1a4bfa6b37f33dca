"""A PBX's own settings: name, time zone, region, idle timeout, click-to-call (owners and admins edit)."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from hub.errors import HubError
from hub.models import CallControl
from hub.selectors.accounts import pbx_get
from hub.services.webui_pbx import pbx_settings_update
from webui.forms.common import add_service_error
from webui.forms.pbx import PbxSettingsForm
from webui.pages import page
from webui.tenancy import member_view


@member_view(editors_only=True)
def pbx_edit(request, pbx_slug: str):
    # Another account's PBX raises NotFound: member_view answers 404. Viewers never reach here.
    pbx = pbx_get(account=request.membership.account, slug=pbx_slug)
    control = CallControl.objects.filter(pbx=pbx).first()
    if request.method == "POST":
        form = PbxSettingsForm(request.POST, control=control)
        if form.is_valid():
            try:
                _, changed = pbx_settings_update(pbx=pbx, actor=request.user.email or request.user.username,
                                                 user=request.user, **form.service_fields())
            except HubError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Settings of “{pbx.name}” saved." if changed else "Nothing changed.")
                return redirect(reverse("webui:sources"))
    else:
        form = PbxSettingsForm(initial=PbxSettingsForm.initial_from(pbx, control), control=control)
    return page(request, "webui/sources/pbx_form.html", {"form": form, "pbx": pbx, "control": control},
                section="sources")
