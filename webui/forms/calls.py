from django import forms

from hub.models import CallState, Direction, PbxUser


class CallSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, name, extension, queue or call id"}))
    direction = forms.ChoiceField(required=False, choices=[("", "Any direction"), *Direction.choices])
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *CallState.choices])
    day_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))


class ClickToCallForm(forms.Form):
    user = forms.ModelChoiceField(queryset=PbxUser.objects.none(), label="Ring this user first",
                                  empty_label="Choose a user…", error_messages={"required": "Choose the user whose phone rings first.",
                                                                                "invalid_choice": "Choose one of the listed users."})
    number = forms.CharField(max_length=32, label="Then call", help_text="E.164, e.g. +61355501234.",
                             widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+61355501234", "autocomplete": "off"}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda u: f"{u.number} · {u.name}" + (f" ({u.pbx.name})" if self.several_pbxes else "")
        self.several_pbxes = users.values("pbx").distinct().count() > 1
