"""Where each PBX's traffic comes from, and how far the hub has read it."""
from django.db import models

from hub.models.pbx import Pbx


class SourceKind(models.TextChoices):
    CALLFLOW_LOG = "callflow_log", "3CX CallFlow log"
    QUEUEMANAGER_LOG = "queuemanager_log", "3CX QueueManager log"
    CDR_FILE = "cdr_file", "3CX CDR file"
    CDR_SOCKET = "cdr_socket", "3CX CDR active socket"


FILE_KINDS = (SourceKind.CALLFLOW_LOG, SourceKind.QUEUEMANAGER_LOG, SourceKind.CDR_FILE)


class IngestSource(models.Model):
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    path = models.CharField(max_length=500, blank=True, help_text="log or CDR file to follow")
    port = models.PositiveIntegerField(null=True, blank=True, help_text="CDR socket: TCP port 3CX connects to")
    listen_host = models.CharField(max_length=64, blank=True, default="0.0.0.0")
    allowed_networks = models.JSONField(default=list, blank=True, help_text="CDR socket: source addresses allowed")
    cdr_fields = models.JSONField(default=list, blank=True, help_text="CDR field order; empty = 3CX's default")
    rules_path = models.CharField(max_length=500, blank=True, help_text="log patterns file; empty = shipped v20 rules")
    enabled = models.BooleanField(default=True)
    # Progress, written in the same transaction as the events read (exact resume).
    position = models.JSONField(null=True, blank=True)
    lines_read = models.BigIntegerField(default=0)
    events_stored = models.BigIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_record_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The follower has not reached the end of what the file holds (or has not looked yet):
    # the PBX's watermark waits for it (hub.services.ingest.watermarks).
    behind = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["pbx", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.pbx.slug} {self.kind} {self.path or self.port or ''}".strip()
