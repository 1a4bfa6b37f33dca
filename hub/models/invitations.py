"""An owner's invitation to join an account: a one-time link that sets a password or adds the account."""
from django.conf import settings
from django.db import models

from hub.models.accounts import Account, Role

INVITATION_TOKEN_PURPOSE = "invitation"


class Invitation(models.Model):
    """A pending invitation. Accepting it makes a Membership and deletes the row.

    Only an HMAC of the link's token is stored, as with API keys: the link is shown or mailed once.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254, help_text="lower case")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["account", "email"], name="invitation_unique_account_email")]

    def __str__(self) -> str:
        return self.email
