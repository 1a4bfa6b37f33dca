"""The webhook endpoint form: what the service needs, in fields a person can fill in."""
from __future__ import annotations

import json

from django import forms

from hub.catalogue import CATALOGUE
from hub.models import DeliveryStatus, Dialect, RetryPolicy
from webui.forms.common import split_list

FILTER_KINDS = ("queues", "users", "dids")
# Service field names → the form field their errors belong to.
ERROR_FIELDS = {"filters": "filter_queues", "event_paths": "dialect", "bearer_token": "bearer_token"}


def parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise forms.ValidationError(f"Line {number}: write each header as “Name: value”.")
        headers[name.strip()] = value.strip()
    return headers


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(attrs={"placeholder": "CRM – call events"}))
    url = forms.URLField(max_length=1000, assume_scheme="https", label="Endpoint URL",
                         widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/hooks/pbx"}))
    dialect = forms.ChoiceField(choices=Dialect.choices, initial=Dialect.JSON, label="Format",
                                help_text="How each event is rendered: pick the one your receiver was written for.")
    triggers = forms.MultipleChoiceField(choices=[(k, t.title) for k, t in CATALOGUE.items()],
                                         error_messages={"required": "Tick at least one event to send."})
    secret_token = forms.CharField(max_length=500, required=False, label="Secret token",
                                   help_text="Sent as <code>X-Pbx-Token</code> so the receiver can tell the hub's requests apart.",
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "spellcheck": "false"}))
    clear_secret_token = forms.BooleanField(required=False, label="Remove the secret token")
    bearer_token = forms.CharField(max_length=2000, required=False, label="Bearer token",
                                   help_text="“3CX Call Events to REST” only: sent as <code>Authorization: Bearer …</code>.",
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    recording_url = forms.URLField(max_length=1000, required=False, assume_scheme="https", label="Recording URL",
                                   help_text="3CX Webhook plugin formats only: its <code>WEBHOOK_POST_URL</code>, where "
                                             "recording (and voicemail) messages are POSTed. Empty: the endpoint URL.")
    recording_full_info = forms.BooleanField(
        required=False, initial=True, label="Full call info with recordings",
        help_text="3CX Webhook plugin formats only: its <code>RECORDING_FULL_INFO</code>. Ticked (=1): a recording "
                  "message repeats the call-end fields beside <code>FILES</code>; unticked (=0): "
                  "<code>{\"FILES\": […]}</code> only.")
    headers = forms.CharField(required=False, label="Custom headers", help_text="One per line, as <code>Name: value</code>.",
                              widget=forms.Textarea(attrs={"rows": 3, "placeholder": "X-Tenant: acme"}))
    filter_queues = forms.CharField(required=False, label="Only queues", help_text="Numbers or names, comma-separated.")
    filter_users = forms.CharField(required=False, label="Only users", help_text="Extensions, comma-separated.")
    filter_dids = forms.CharField(required=False, label="Only DIDs", help_text="Dialled numbers, comma-separated.")
    timeout_seconds = forms.IntegerField(min_value=1, max_value=30, initial=10, label="Timeout (seconds)",
                                         help_text="How long to wait for the receiver; 1–30.")
    max_concurrency = forms.IntegerField(
        min_value=1, max_value=256, initial=64, required=False, label="Most requests at once",
        help_text="A ceiling, 1–256: the hub starts at 4 parallel requests and grows toward it while the "
                  "receiver answers in time, and backs off on timeouts, errors, 429 and Retry-After. "
                  "Each call's events still go one after the other.")
    retry_policy = forms.ChoiceField(
        choices=RetryPolicy.choices, initial=RetryPolicy.SCHEDULE, required=False, label="Retries",
        help_text="A receiver written for “3CX Call Events to REST”, which posts each event once, may want no retries: "
                  "a failed delivery then stays failed (you can still resend it).")
    enabled = forms.BooleanField(required=False, initial=True, label="Send events to this endpoint")

    def __init__(self, *args, endpoint=None, **kwargs):
        self.endpoint = endpoint
        if endpoint is not None and "data" not in kwargs and not args:
            kwargs["initial"] = self.initial_from(endpoint)
        super().__init__(*args, **kwargs)
        if endpoint is not None and endpoint.secret_token:
            self.fields["secret_token"].help_text += " A token is set: leave blank to keep it."
        if endpoint is not None and endpoint.bearer_token:
            self.fields["bearer_token"].help_text += " A token is set: leave blank to keep it."

    @staticmethod
    def initial_from(endpoint) -> dict:
        filters = endpoint.filters or {}
        return {
            "name": endpoint.name, "url": endpoint.url, "dialect": endpoint.dialect, "triggers": endpoint.triggers,
            "headers": "\n".join(f"{k}: {v}" for k, v in (endpoint.headers or {}).items()),
            "timeout_seconds": endpoint.timeout_seconds,
            "max_concurrency": endpoint.max_concurrency, "enabled": endpoint.enabled,
            "retry_policy": endpoint.retry_policy,
            "recording_url": endpoint.recording_url, "recording_full_info": endpoint.recording_full_info,
            **{f"filter_{kind}": ", ".join(str(v) for v in filters.get(kind) or []) for kind in FILTER_KINDS},
        }

    def clean_headers(self):
        return parse_headers(self.cleaned_data["headers"])

    def service_fields(self) -> dict:
        """The keyword arguments of webhook_endpoint_create/update; secrets only when changed."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("name", "url", "dialect", "triggers", "headers", "timeout_seconds",
                                                  "enabled", "recording_url", "recording_full_info")}
        if data.get("max_concurrency") is not None:  # blank: keep the stored ceiling (64 for a new one)
            fields["max_concurrency"] = data["max_concurrency"]
        if data.get("retry_policy"):  # not sent: keep the stored policy
            fields["retry_policy"] = data["retry_policy"]
        fields["filters"] = {kind: split_list(data[f"filter_{kind}"]) for kind in FILTER_KINDS if split_list(data[f"filter_{kind}"])}
        if data["clear_secret_token"]:
            fields["secret_token"] = ""
        elif data["secret_token"]:
            fields["secret_token"] = data["secret_token"]
        if data["bearer_token"]:
            fields["bearer_token"] = data["bearer_token"]
        return fields


def sample_text(trigger: str) -> str:
    return json.dumps(dict(CATALOGUE[trigger].sample), indent=2, ensure_ascii=False)


class TestRequestForm(forms.Form):
    MAX_PAYLOAD = 64 * 1024
    trigger = forms.ChoiceField(label="Event")
    payload = forms.CharField(label="Payload", max_length=MAX_PAYLOAD, required=False, widget=forms.Textarea(attrs={
        "rows": 12, "spellcheck": "false", "class": "mono", "data-test-payload": ""}),
        help_text="The catalogue's sample for the event; edit any value before sending. Left empty, the sample is sent.")

    def __init__(self, *args, endpoint, **kwargs):
        super().__init__(*args, **kwargs)
        ticked = [k for k in endpoint.triggers if k in CATALOGUE]
        others = [k for k in CATALOGUE if k not in ticked]
        choices = [(k, f"{CATALOGUE[k].title} ({k})") for k in ticked]
        if others:
            choices.append(("Other events", [(k, f"{CATALOGUE[k].title} ({k})") for k in others]))
        self.fields["trigger"].choices = choices
        first = ticked[0] if ticked else next(iter(CATALOGUE))
        self.fields["trigger"].initial = self.initial.get("trigger", first)
        self.fields["payload"].initial = self.initial.get("payload") or sample_text(self.fields["trigger"].initial)

    def clean_payload(self):
        if not self.cleaned_data["payload"].strip():
            return None  # the service sends the event's sample
        try:
            payload = json.loads(self.cleaned_data["payload"])
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON ({exc}).") from None
        if not isinstance(payload, dict):
            raise forms.ValidationError("The payload must be a JSON object ({…}), like the sample.")
        return payload


class RecoverForm(forms.Form):
    since = forms.DateTimeField(label="Failed since", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class DeliveryFilterForm(forms.Form):
    endpoint = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *DeliveryStatus.choices])
    trigger = forms.ChoiceField(required=False, choices=[("", "Any event"), *[(k, k) for k in CATALOGUE]])
    call = forms.CharField(required=False, max_length=100, label="Call id",
                           widget=forms.TextInput(attrs={"placeholder": "unique call id"}))
    message_id = forms.CharField(required=False, max_length=64, label="Message id",
                                 widget=forms.TextInput(attrs={"placeholder": "msg_… (webhook-id)"}))
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, endpoints, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].choices = [("", "All endpoints"), *[(e.pk, str(e)) for e in endpoints]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the range is before its start.")
        return data
