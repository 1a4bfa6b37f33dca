"""Click-to-call: a request to ring a user's devices and then dial a number, and how to reach
the PBX's call-control interface."""
from django.db import models

from hub.crypto import EncryptedTextField
from hub.models.accounts import Account
from hub.models.api_keys import ApiKey
from hub.models.pbx import Pbx


class DriverKind(models.TextChoices):
    SIMULATOR = "simulator", "Simulator (demo PBX)"
    THREECX = "3cx", "3CX Call Control API (v20)"
    ARI = "ari", "Asterisk ARI"


class CallControl(models.Model):
    """How the hub places calls on one PBX."""

    pbx = models.OneToOneField(Pbx, on_delete=models.CASCADE, related_name="call_control")
    driver = models.CharField(max_length=12, choices=DriverKind.choices, default=DriverKind.SIMULATOR)
    base_url = models.URLField(blank=True, help_text="3CX: https://pbx.example.com; ARI: http://host:8088")
    username = models.CharField(max_length=200, blank=True, help_text="3CX client id / ARI user")
    secret = EncryptedTextField(blank=True, help_text="3CX client secret / ARI password")
    context = models.CharField(max_length=100, blank=True, help_text="ARI dialplan context")
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    simulator_dir = models.CharField(max_length=500, blank=True, help_text="simulator: its --dir")


class ClickToCallStatus(models.TextChoices):
    QUEUED = "queued"
    RINGING_USER = "ringing_user"
    CONNECTED = "connected"
    FAILED = "failed"


class ClickToCall(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="click_to_calls")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user_number = models.CharField(max_length=32)
    number_to_call = models.CharField(max_length=32, help_text="E.164")
    caller_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=14, choices=ClickToCallStatus.choices, default=ClickToCallStatus.QUEUED)
    reason = models.TextField(blank=True, help_text="why it failed, in words")
    driver = models.CharField(max_length=12, choices=DriverKind.choices)
    pbx_reference = models.CharField(max_length=100, blank=True, help_text="the PBX's id for the call, once placed")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "created_at"], name="c2c_account_created")]
