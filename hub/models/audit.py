from django.conf import settings
from django.db import models

from hub.models.accounts import Account


class AuditEntry(models.Model):
    """Who changed what and when (keys, whitelist, webhooks, sources)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(max_length=200, help_text="e-mail, API key prefix or 'system'")
    action = models.CharField(max_length=60, help_text="e.g. api_key.created, webhook.updated")
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.TextField(blank=True)
    # {field: [before, after]} for the fields a change touched; secrets as "set"/"not set", never their text.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"], name="audit_account_created"),
                   models.Index(fields=["account", "action", "created_at"], name="audit_account_action")]
