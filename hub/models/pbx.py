from django.db import models

from hub.crypto import EncryptedTextField
from hub.models.accounts import Account


# The keyed-hash purpose of ingest tokens (hub.crypto.keyed_hash): written by the service
# that issues them, read by the selector that finds a PBX by its token.
INGEST_TOKEN_PURPOSE = "ingest-token"


class PbxKind(models.TextChoices):
    THREECX = "3cx", "3CX"
    GENERIC = "generic", "Generic (native JSON)"


class Pbx(models.Model):
    """One phone system of an account. Its slug is global: operators' commands name it alone."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pbxes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=PbxKind.choices, default=PbxKind.THREECX)
    # An IANA zone ("Australia/Melbourne") or a fixed offset ("+11:00"): 3CX logs carry none.
    timezone = models.CharField(max_length=64)
    # Region for national numbers in click-to-call ("AU"); blank means E.164 only.
    default_region = models.CharField(max_length=2, blank=True)
    # The push URLs carry the token, so it is looked up by keyed hash and kept encrypted
    # only so the UI can show it again.
    ingest_token_hash = models.CharField(max_length=64, unique=True)
    ingest_token = EncryptedTextField()
    # A call whose end never arrives is closed this long after its last event.
    idle_call_timeout = models.PositiveIntegerField(default=4 * 3600, help_text="seconds")
    # How far out of order this PBX's pushes with event times may arrive (seconds; None: the
    # hub's HUB_PUSH_LATENESS_SECONDS; 0: its sender never reorders, events go out at once).
    push_lateness_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    # PBX time: every event of this PBX at or before watermark_at has been read (its followed
    # files, or the import running); watermark_moved_at is when (wall clock) it last moved.
    # Idle calls are judged by it, not by the wall clock (an old log is not idle while it is read).
    watermark_at = models.DateTimeField(null=True, blank=True, editable=False)
    watermark_moved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The push stream (native JSON, the CDR socket: pushes that carry their event time): the
    # newest event time pushed, and when (wall clock) the last push arrived. Pushes up to
    # PUSH_LATENESS before pushed_through are all in (hub.services.ingest.watermarks).
    pushed_through = models.DateTimeField(null=True, blank=True, editable=False)
    pushed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Where the PBX keeps its recordings, as this machine sees it (3CX v20: its Data/Recordings
    # folder, one sub-folder per extension): the ingest process picks up the files the logs or
    # CDR name there. Blank: log-fed recordings are not collected (announced, then missing).
    recordings_path = models.CharField(max_length=500, blank=True, default="", db_default="")
    # The PBX's recording links (plugin FILES) are fetched with TLS checked unless this says
    # its certificate is self-signed.
    recordings_tls_self_signed = models.BooleanField(default=False, db_default=False)
    # A database outage refused pushes (hub.services.outages): until push_resumed_at (the
    # outage's end and the Retry-After its 503s gave, wall clock) and the lateness allowance
    # after it, the PBX's watermark stays at or before push_held_at (event time), where it
    # stood when the outage began; the beat task counts quiet time from push_resumed_at.
    push_held_at = models.DateTimeField(null=True, blank=True, editable=False)
    push_resumed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "PBXes"

    def __str__(self) -> str:
        return self.name
