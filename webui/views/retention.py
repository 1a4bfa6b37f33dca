"""The account's data retention: how long each kind of record is kept (members read it; owners
and admins change it, audited)."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect

from hub.errors import HubError
from hub.services.retention import (KINDS, LABELS, MAX_DAYS, MIN_DAYS, RECORDINGS_FIELD, RECORDINGS_LABEL, default_days,
                                    recordings_default_days, retention_overrides, retention_update)
from webui.forms.common import add_service_error
from webui.pages import page
from webui.tenancy import member_view


class RetentionForm(forms.Form):
    def __init__(self, *args, defaults: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in KINDS:
            self.fields[f"{kind}_days"] = forms.IntegerField(
                min_value=MIN_DAYS, max_value=MAX_DAYS, required=False, label=LABELS[kind][:1].upper() + LABELS[kind][1:],
                help_text=f"Days. Blank: the hub's default, {defaults[kind]} days.",
                widget=forms.NumberInput(attrs={"placeholder": str(defaults[kind])}))
        recordings = recordings_default_days()
        self.fields[RECORDINGS_FIELD] = forms.IntegerField(
            min_value=MIN_DAYS, max_value=MAX_DAYS, required=False, label=RECORDINGS_LABEL.capitalize(),
            help_text=f"Days the audio of recordings and voicemails is kept. Blank: the hub's default, {recordings} "
                      "days. The recording's details and the call stay as long as calls are kept.",
            widget=forms.NumberInput(attrs={"placeholder": str(recordings)}))


@member_view
def retention(request):
    account = request.membership.account
    defaults = default_days()
    overrides = retention_overrides(account=account)
    recordings, recordings_default = account.recording_retention_days, recordings_default_days()
    initial = {f"{kind}_days": value for kind, value in overrides.items()}
    initial[RECORDINGS_FIELD] = recordings if recordings != recordings_default else None
    form = RetentionForm(request.POST or None, defaults=defaults, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = retention_update(account=account, actor=request.user.email or request.user.username,
                                       user=request.user, **form.cleaned_data)
        except HubError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Retention saved." if changed else "Nothing changed.")
            return redirect("webui:retention")
    rows = [{"kind": kind, "label": LABELS[kind], "days": overrides[kind] or defaults[kind],
             "own": overrides[kind] is not None, "default": defaults[kind]} for kind in KINDS]
    rows.append({"kind": "recordings", "label": RECORDINGS_LABEL, "days": recordings,
                 "own": recordings != recordings_default, "default": recordings_default,
                 "note": "the recording’s details and the call stay as long as calls are kept"})
    return page(request, "webui/account/retention.html", {"form": form, "rows": rows}, section="retention")
