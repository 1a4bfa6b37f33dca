from django.db import models

from hub.models.accounts import Account


class ComponentCondition(models.TextChoices):
    # Keys match hub.assembly.components.CONDITIONS.
    REACHED_QUEUE = "reached_queue", "Call reached queue"
    QUEUE_WAIT_OVER = "queue_wait_over", "Queue call waited more than N seconds"
    REACHED_RING_GROUP = "reached_ring_group", "Call reached ring group"
    DIALLED_DID = "dialled_did", "Call came in on DID"


class WebhookComponent(models.Model):
    """A named condition that fires `webhook_component_event` when a call meets it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=100)
    condition = models.CharField(max_length=30, choices=ComponentCondition.choices)
    target = models.CharField(max_length=64, blank=True, help_text="queue/ring group number or DID")
    seconds = models.PositiveIntegerField(null=True, blank=True, help_text="for waited-more-than conditions")
    headers = models.JSONField(default=dict, blank=True, help_text="extra headers sent with this event")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="component_unique_name")]

    def __str__(self) -> str:
        return self.name
