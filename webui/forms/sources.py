from django import forms

from hub.models import ComponentCondition, SourceKind
from webui.forms.common import split_list
from webui.forms.webhooks import parse_headers


class SourceForm(forms.Form):
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Source")
    path = forms.CharField(max_length=500, required=False, label="File path",
                           help_text="Log or CDR file to follow (log and CDR file sources).",
                           widget=forms.TextInput(attrs={"placeholder": "/var/lib/3cxpbx/Instance1/Data/Logs/3CXCallFlow.log"}))
    port = forms.IntegerField(min_value=1, max_value=65535, required=False, label="CDR port",
                              help_text="TCP port 3CX's active CDR socket connects to (CDR socket only).")
    listen_host = forms.CharField(max_length=64, required=False, initial="0.0.0.0", label="Listen address")
    allowed_networks = forms.CharField(required=False, label="Allowed source addresses",
                                       help_text="CDR socket: addresses or CIDRs the PBX connects from, comma-separated.",
                                       widget=forms.TextInput(attrs={"placeholder": "198.51.100.10"}))
    rules_path = forms.CharField(max_length=500, required=False, label="Rules file",
                                 help_text="Log patterns (TOML); empty uses the shipped 3CX v20 rules.")
    enabled = forms.BooleanField(required=False, initial=True, label="Read this source")

    @staticmethod
    def initial_from(source) -> dict:
        return {"kind": source.kind, "path": source.path, "port": source.port, "listen_host": source.listen_host,
                "allowed_networks": ", ".join(source.allowed_networks or []), "rules_path": source.rules_path,
                "enabled": source.enabled}

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["allowed_networks"] = split_list(data["allowed_networks"])
        data["listen_host"] = data["listen_host"] or "0.0.0.0"
        return data


class ComponentForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Sent in the event as the component's name.")
    condition = forms.ChoiceField(choices=ComponentCondition.choices, label="When")
    target = forms.CharField(max_length=64, label="Queue, ring group or DID",
                             widget=forms.TextInput(attrs={"placeholder": "822"}))
    seconds = forms.IntegerField(min_value=1, max_value=86400, required=False, label="Seconds",
                                 help_text="For “waited more than N seconds”.")
    headers = forms.CharField(required=False, label="Extra headers", help_text="One per line, as <code>Name: value</code>.",
                              widget=forms.Textarea(attrs={"rows": 2}))
    enabled = forms.BooleanField(required=False, initial=True)

    @staticmethod
    def initial_from(component) -> dict:
        return {"name": component.name, "condition": component.condition, "target": component.target,
                "seconds": component.seconds, "enabled": component.enabled,
                "headers": "\n".join(f"{k}: {v}" for k, v in (component.headers or {}).items())}

    def clean_headers(self):
        return parse_headers(self.cleaned_data["headers"])
