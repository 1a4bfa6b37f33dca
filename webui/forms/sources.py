from django import forms

from hub.models import ComponentCondition, SourceKind
from hub.models.ingest import FILE_KINDS
from webui.forms.common import split_list
from webui.forms.webhooks import parse_headers


class SourceForm(forms.Form):
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Source")
    path = forms.CharField(max_length=500, required=False, label="File path",
                           help_text="The log or CDR file to follow.",
                           widget=forms.TextInput(attrs={"placeholder": "/var/lib/3cxpbx/Instance1/Data/Logs/3CXCallFlow.log"}))
    port = forms.IntegerField(min_value=1, max_value=65535, required=False, label="CDR port",
                              help_text="TCP port 3CX's active CDR socket connects to.")
    listen_host = forms.CharField(max_length=64, required=False, initial="0.0.0.0", label="Listen address")
    allowed_networks = forms.CharField(required=False, label="Allowed source addresses",
                                       help_text="Addresses or CIDRs the PBX connects from, comma-separated.",
                                       widget=forms.TextInput(attrs={"placeholder": "198.51.100.10"}))
    rules_path = forms.CharField(max_length=500, required=False, label="Rules file",
                                 help_text="Log patterns (TOML); empty uses the shipped 3CX v20 rules.")
    enabled = forms.BooleanField(required=False, initial=True, label="Read this source")

    # Which fields each kind of source reads; the page shows only the chosen kind's.
    LOG_KINDS = (SourceKind.CALLFLOW_LOG, SourceKind.QUEUEMANAGER_LOG)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file source needs its path, a socket its port: each is required for its kind only.
        kind = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        socket = kind == SourceKind.CDR_SOCKET
        self.fields["path"].required = not socket
        self.fields["port"].required = socket
        self.fields["path"].error_messages["required"] = "Give the file to follow, e.g. /var/lib/3cxpbx/Instance1/Data/Logs/3CXCallFlow.log"
        self.fields["port"].error_messages["required"] = "A CDR socket needs the TCP port 3CX connects to."

    @property
    def file_kinds(self) -> str:
        return " ".join(FILE_KINDS)

    @property
    def log_kinds(self) -> str:
        return " ".join(self.LOG_KINDS)

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
