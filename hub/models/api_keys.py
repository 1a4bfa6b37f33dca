from django.db import models

from hub.models.accounts import Account


class Scope(models.TextChoices):
    CALLS_READ = "calls:read", "Read call history"
    CALLS_PLACE = "calls:place", "Place calls"
    WEBHOOKS_MANAGE = "webhooks:manage", "Manage webhooks"


ALL_SCOPES = [scope.value for scope in Scope]


class ApiKey(models.Model):
    """An account's API key: the full key is shown once; we keep a lookup prefix and an HMAC."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Narrows the account whitelist for this key; empty = the account's whitelist applies.
    allowed_networks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
