"""Calls as assembled from PBX events, with one row per user, queue and ring-group leg.

Account and PBX are denormalised onto the legs: every call-history query filters by account
first and then by user/queue and time, so each leg table carries an index in that order.
"""
from django.db import models

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


class Recording(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="recordings")
    user = models.CharField(max_length=32, blank=True)
    file = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
