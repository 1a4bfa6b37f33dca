from django.db import models

from hub.models.accounts import Account


class RetentionPolicy(models.Model):
    """How long an account's records are kept, in days, where it differs from the hub's
    defaults (settings.RETENTION_*); an empty field means "the hub's default". See
    hub/services/retention.py and docs/retention.md."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="retention")
    pbx_events_days = models.PositiveIntegerField(null=True, blank=True)
    catalogue_events_days = models.PositiveIntegerField(null=True, blank=True)
    deliveries_days = models.PositiveIntegerField(null=True, blank=True)
    attempts_days = models.PositiveIntegerField(null=True, blank=True)
    calls_days = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
