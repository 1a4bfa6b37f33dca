"""The audit log's filter: what, which action, who, and a range of days."""
from __future__ import annotations

from django import forms

from webui.selectors.audit import OBJECT_KINDS


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="What", choices=[("", "Everything"), *OBJECT_KINDS.items()])
    action = forms.ChoiceField(required=False, label="Action")
    actor = forms.CharField(required=False, max_length=200, label="Who",
                            widget=forms.TextInput(attrs={"type": "search", "placeholder": "e-mail or key"}))
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *[(a, a) for a in actions]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the range is before its start.")
        return data
