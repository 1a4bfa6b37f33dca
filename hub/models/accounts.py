from django.conf import settings
from django.db import models


class Account(models.Model):
    """A customer (tenant). Everything the hub stores for a customer hangs off one of these."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    # Days a recording's or voicemail's audio is kept; a beat task purges older audio (the
    # call history keeps its metadata).
    recording_retention_days = models.PositiveIntegerField(default=90, db_default=90)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="membership_unique_user_account")]

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)
