"""Who may call the REST API from where: the account's IP whitelist."""
from django.db import models

from hub.models.accounts import Account


class AllowedNetwork(models.Model):
    """An address or CIDR range allowed to use the account's API keys (IPv4 or IPv6)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="allowed_networks")
    network = models.CharField(max_length=64, help_text="normalised CIDR, e.g. 203.0.113.7/32 or 2001:db8::/48")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network"]
        constraints = [models.UniqueConstraint(fields=["account", "network"], name="allowednetwork_unique")]

    def __str__(self) -> str:
        return self.network
