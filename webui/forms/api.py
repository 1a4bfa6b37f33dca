from django import forms

from hub.models import Scope

HISTORY_ENDPOINTS = {
    "user": ("integration-get-user-calls", "user_numbers", "Users (extensions)"),
    "queue": ("integration-get-queue-calls", "queues_names", "Queues (numbers or names)"),
    "ringgroup": ("integration-get-ringgroup-calls", "ringgroups_names", "Ring groups (numbers or names)"),
}


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who or what uses the key, e.g. “Salesforce sync”.",
                           widget=forms.TextInput(attrs={"placeholder": "CRM integration"}))
    scopes = forms.MultipleChoiceField(choices=Scope.choices, initial=[Scope.CALLS_READ], widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose at least one thing the key may do."})


class NetworkForm(forms.Form):
    address = forms.CharField(max_length=64, label="Address or CIDR range",
                              widget=forms.TextInput(attrs={"placeholder": "203.0.113.7 or 203.0.113.0/24", "autocomplete": "off"}))
    note = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={"placeholder": "Office, CRM server…"}))


class RequestBuilderForm(forms.Form):
    endpoint = forms.ChoiceField(choices=[("user", "get-user-calls"), ("queue", "get-queue-calls"),
                                          ("ringgroup", "get-ringgroup-calls")], initial="user")
    members = forms.CharField(required=False, label="Users, queues or ring groups",
                              help_text="Comma-separated; empty for all.", widget=forms.TextInput(attrs={"placeholder": "101,102"}))
    from_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort_by = forms.ChoiceField(choices=[("newest_first", "Newest first"), ("oldest_first", "Oldest first")], initial="newest_first")
    offset = forms.IntegerField(min_value=0, initial=0, required=False)
    limit = forms.IntegerField(min_value=1, max_value=10000, initial=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            self.add_error("to_date", "The last day cannot be before the first.")
        return data

    def query(self) -> tuple[str, dict]:
        """(url name, query parameters) of the request the form describes."""
        data = self.cleaned_data
        url_name, members_param, _ = HISTORY_ENDPOINTS[data["endpoint"]]
        params = {}
        if data.get("members"):
            params[members_param] = ",".join(m.strip() for m in data["members"].split(",") if m.strip())
        for name in ("from_date", "to_date"):
            if data.get(name):
                params[name] = data[name].isoformat()
        params["sort_by"] = data["sort_by"]
        params["offset"] = data.get("offset") or 0
        params["limit"] = data.get("limit") or 100
        return url_name, params
