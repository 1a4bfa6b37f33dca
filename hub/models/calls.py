"""Calls as assembled from PBX events, with one row per user, queue and ring-group leg.

Account and PBX are denormalised onto the legs: every call-history query filters by account
first and then by user/queue and time, so each leg table carries an index in that order.
"""
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from hub.models.accounts import Account
from hub.models.pbx import Pbx


class Direction(models.TextChoices):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class CallState(models.TextChoices):
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    CLOSED_IDLE = "closed_idle", "Closed (end never seen)"


class Call(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="calls")
    unique_call_id = models.CharField(max_length=100)
    pbx_call_id = models.CharField(max_length=64, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    state = models.CharField(max_length=12, choices=CallState.choices, default=CallState.IN_PROGRESS)
    caller_number = models.CharField(max_length=64, blank=True)
    caller_name = models.CharField(max_length=200, blank=True)
    dest_number = models.CharField(max_length=64, blank=True)
    did = models.CharField(max_length=64, blank=True)
    trunk = models.CharField(max_length=200, blank=True)
    call_start_at = models.DateTimeField()
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    call_duration = models.PositiveIntegerField(null=True, blank=True)
    conversation_duration = models.PositiveIntegerField(null=True, blank=True)
    voicemail = models.JSONField(null=True, blank=True)
    callback = models.JSONField(null=True, blank=True)
    closed_reason = models.CharField(max_length=100, blank=True)
    last_event_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # A fingerprint of the leg and recording rows calls_store last wrote for this call: a push
    # compares it instead of reading four tables back. Only calls_store writes legs; anything
    # else that rewrites them (a data migration) must clear it so the next push rewrites them.
    legs_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The PBX event time at which more of this call's catalogue events may go out (a gate the
    # watermark has not passed yet, see hub.assembly.emission); null: none waits.
    emit_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pbx", "unique_call_id"], name="call_unique_id")]
        indexes = [
            models.Index(fields=["account", "call_start_at", "id"], name="call_account_start"),
            models.Index(fields=["pbx", "pbx_call_id", "call_start_at"], name="call_pbx_callid"),
            models.Index(fields=["state", "last_event_at"], name="call_state_last_event"),
            models.Index(fields=["pbx", "emit_due_at"], condition=models.Q(emit_due_at__isnull=False),
                         name="call_emit_due"),
        ]

    def __str__(self) -> str:
        return self.unique_call_id


class Leg(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE)
    # Copied from the call so history queries sort and filter without a join.
    call_start_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["call_start_at", "call_id", "position"]


class UserLeg(Leg):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="user_legs")
    user = models.CharField(max_length=32)
    rang_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When this user's part ended (a transfer away, or the call's end); null while it goes on.
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12)  # answered | missed | unanswered
    via_queue = models.CharField(max_length=32, blank=True)
    via_ring_group = models.CharField(max_length=32, blank=True)
    transfer = models.CharField(max_length=12, blank=True)
    forwarded_from = models.CharField(max_length=32, blank=True)

    class Meta(Leg.Meta):
        # A user's legs in history page order (position and id too: PostgreSQL need not sort them).
        indexes = [models.Index(fields=["account", "user", "call_start_at", "call", "position", "id"],
                                name="userleg_account_user_page"),
                   models.Index(fields=["account", "call_start_at", "call"], name="userleg_account_start")]


class QueueLeg(Leg):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="queue_legs")
    queue = models.CharField(max_length=32)
    qcid = models.CharField(max_length=64)
    status = models.CharField(max_length=12)  # answered | abandoned
    outcome = models.CharField(max_length=40, blank=True)
    agent = models.CharField(max_length=32, blank=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta(Leg.Meta):
        indexes = [models.Index(fields=["account", "queue", "call_start_at", "call"], name="queueleg_account_queue_start")]


class RingGroupLeg(Leg):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="ring_group_legs")
    ring_group = models.CharField(max_length=32)
    status = models.CharField(max_length=12)
    agent = models.CharField(max_length=32, blank=True)

    class Meta(Leg.Meta):
        indexes = [models.Index(fields=["account", "ring_group", "call_start_at", "call"], name="rgleg_account_rg_start")]


class RecordingKind(models.TextChoices):
    CALL_RECORDING = "call_recording", "Call recording"
    VOICEMAIL = "voicemail", "Voicemail"


class RecordingState(models.TextChoices):
    ANNOUNCED = "announced", "Announced (audio not stored yet)"
    STORED = "stored", "Stored"
    MISSING = "missing", "Missing"
    FAILED = "failed", "Failed"
    PURGED = "purged", "Purged"


class RecordingSource(models.TextChoices):
    FOLDER = "folder", "PBX recordings folder"  # named by logs or CDR, picked up by ingest
    URL = "url", "Download link"  # plugin FILES, a native push naming a URL
    UPLOAD = "upload", "Uploaded with a push"


class Recording(models.Model):
    """A call recording or voicemail: announced by the PBX (logs, CDR, plugin FILES, a push),
    then stored (audio in the recordings storage under ``storage_key``), or missing / failed
    with a reason, and eventually purged (audio deleted, metadata kept).

    calls_store writes the announced rows from the assembled call; it never deletes a row whose
    audio the hub has dealt with (any state but announced). The new columns have database
    defaults: the ingest's fast inserts name only the columns it knows.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="recordings")
    user = models.CharField(max_length=32, blank=True)
    # What the PBX announced: a file name (logs, CDR) or a URL (plugin FILES, a native push).
    file = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=RecordingKind.choices, default=RecordingKind.CALL_RECORDING,
                            db_default=RecordingKind.CALL_RECORDING)
    source = models.CharField(max_length=8, choices=RecordingSource.choices, default=RecordingSource.FOLDER,
                              db_default=RecordingSource.FOLDER)
    state = models.CharField(max_length=10, choices=RecordingState.choices, default=RecordingState.ANNOUNCED,
                             db_default=RecordingState.ANNOUNCED)
    state_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    content_type = models.CharField(max_length=100, blank=True, default="", db_default="")
    size = models.BigIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="seconds")
    checksum = models.CharField(max_length=64, blank=True, default="", db_default="", help_text="SHA-256, hex")
    storage_key = models.CharField(max_length=500, blank=True, default="", db_default="")
    announced_at = models.DateTimeField(default=timezone.now, db_default=Now())
    stored_at = models.DateTimeField(null=True, blank=True)
    # When the recording's webhooks were let out (stored, or given up on): see hub.services.recordings.
    released_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "kind", "file"], name="recording_unique_file")]
        indexes = [models.Index(fields=["state", "announced_at"], name="recording_state_announced"),
                   models.Index(fields=["state", "stored_at"], name="recording_state_stored")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def original_name(self) -> str:
        """The file's own name: the announced name, or a URL's last path segment."""
        return original_name(self.file)


def original_name(file: str) -> str:
    from urllib.parse import unquote, urlsplit

    if "://" in file:
        path = urlsplit(file).path
        return unquote(path.rsplit("/", 1)[-1]) or "recording"
    return file.replace("\\", "/").rsplit("/", 1)[-1] or "recording"
