from django import forms

from hub.models import DriverKind
from django.conf import settings

from hub.services.webui_pbx import MAX_CONTROL_TIMEOUT, MAX_IDLE_TIMEOUT, MAX_PUSH_LATENESS, MIN_IDLE_TIMEOUT
from hub.vocabulary.timezones import parse_timezone
from webui.forms.common import sentence

DRIVER_CHOICES = [("", "Off (no click-to-call)"), *DriverKind.choices]


class PbxSettingsForm(forms.Form):
    """A PBX's settings. The call-control secret is write-only: never rendered, blank keeps it."""

    name = forms.CharField(max_length=200)
    timezone = forms.CharField(max_length=64, label="Time zone",
                               help_text="An IANA name like <code>Australia/Melbourne</code> or an offset like <code>+11:00</code>. "
                                         "3CX logs carry no zone; the hub reads their times in this one.",
                               widget=forms.TextInput(attrs={"placeholder": "Australia/Melbourne", "spellcheck": "false"}))
    default_region = forms.CharField(max_length=2, required=False, label="Default region",
                                     help_text="Two-letter country code (e.g. <code>AU</code>) so click-to-call accepts national "
                                               "numbers; blank accepts E.164 numbers only.",
                                     widget=forms.TextInput(attrs={"placeholder": "AU", "size": 2, "autocapitalize": "characters"}))
    idle_call_timeout = forms.IntegerField(min_value=MIN_IDLE_TIMEOUT, max_value=MAX_IDLE_TIMEOUT, label="Idle call timeout",
                                           help_text="Seconds. A call whose end never arrives is closed this long after its "
                                                     "last event (14400 = 4 hours).")
    push_lateness_seconds = forms.IntegerField(
        min_value=0, max_value=MAX_PUSH_LATENESS, required=False, label="Push lateness allowance",
        help_text="Seconds. How far out of order pushes with event times (native JSON, the CDR socket) may arrive "
                  "and still give the same webhooks; each of this PBX's webhooks waits about this long. 0: the "
                  "sender never reorders, webhooks go out at once. Blank: the hub's default.")
    driver = forms.ChoiceField(choices=DRIVER_CHOICES, required=False, label="Click-to-call driver",
                               help_text="Off removes this PBX's call-control settings, stored secret included.")
    base_url = forms.CharField(max_length=200, required=False, label="Base URL",
                               help_text="3CX: <code>https://pbx.example.com</code>; ARI: <code>http://host:8088</code>.",
                               widget=forms.URLInput(attrs={"placeholder": "https://pbx.example.com", "spellcheck": "false"}))
    username = forms.CharField(max_length=200, required=False, label="Username", help_text="3CX client id / ARI user.",
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    secret = forms.CharField(required=False, strip=False, label="Secret",
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}))
    context = forms.CharField(max_length=100, required=False, label="Dialplan context", help_text="ARI only.")
    timeout_seconds = forms.IntegerField(min_value=1, max_value=MAX_CONTROL_TIMEOUT, initial=10, required=False,
                                         label="Request timeout",
                                         help_text="Seconds the hub waits for the PBX to answer a call-control request.")

    def __init__(self, *args, control=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["push_lateness_seconds"].widget.attrs["placeholder"] = str(settings.PUSH_LATENESS_SECONDS)
        has_secret = bool(control and control.secret)
        self.fields["secret"].help_text = (
            "3CX client secret / ARI password. A secret is stored: leave this blank to keep it, or type a new one to replace it."
            if has_secret else "3CX client secret / ARI password. None stored yet.")

    @staticmethod
    def initial_from(pbx, control) -> dict:
        values = {"name": pbx.name, "timezone": pbx.timezone, "default_region": pbx.default_region,
                  "idle_call_timeout": pbx.idle_call_timeout, "push_lateness_seconds": pbx.push_lateness_seconds,
                  "driver": "", "timeout_seconds": 10}
        if control is not None:
            values |= {"driver": control.driver, "base_url": control.base_url, "username": control.username,
                       "context": control.context, "timeout_seconds": control.timeout_seconds}
        return values  # never the secret

    def clean_timezone(self):
        value = self.cleaned_data["timezone"].strip()
        try:
            parse_timezone(value)
        except ValueError as exc:
            raise forms.ValidationError(sentence(str(exc))) from None
        return value

    def clean_default_region(self):
        return self.cleaned_data["default_region"].strip().upper()

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data["driver"]:
            # Off: nothing else of call control applies.
            return {name: data[name] for name in ("name", "timezone", "default_region", "idle_call_timeout",
                                                  "push_lateness_seconds")} | {"driver": ""}
        if data["timeout_seconds"] is None:
            del data["timeout_seconds"]  # blank: keep the stored value (10 s for a new one)
        return data
