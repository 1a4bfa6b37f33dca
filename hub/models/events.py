"""What the hub has received (PBX events) and what it has derived (catalogue events)."""
from django.db import models
from django.db.models import Q

from hub.models.accounts import Account
from hub.models.calls import Call
from hub.models.pbx import Pbx


class StoredPbxEvent(models.Model):
    """One normalised PBX event, stored once per (PBX, source, dedupe key).

    Every index costs a B-tree insert per event on the ingest path, so there are only the ones
    a query reads: the unique key (duplicate checks; it also serves "events of this PBX"),
    (call, occurred_at) (a call's events in order) and the orphans (events of no call that may
    still join one, read by every batch: without it SQLite walks all the PBX's events to find
    them). Foreign keys get no index of their own: each is the first column of another index.
    Nothing looks events up by ``pbx_call_id`` (linking goes through ``Call.pbx_call_id``).
    """

    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="+", db_index=False)
    source = models.CharField(max_length=20)
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    pbx_call_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    raw = models.TextField(blank=True)
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="pbx_events",
                             db_index=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pbx", "source", "dedupe_key"], name="pbxevent_unique_key")]
        indexes = [models.Index(fields=["call", "occurred_at"], name="pbxevent_call_time"),
                   # Agent status changes belong to no call by nature; the batch never reads them.
                   models.Index(fields=["pbx"], condition=Q(call__isnull=True) & ~Q(kind="agent.status"),
                                name="pbxevent_orphans")]


class QcidLink(models.Model):
    """Queue lines after `call received` name only a QCID; this says which call it belongs to."""

    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="+")
    qcid = models.CharField(max_length=64)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pbx", "qcid"], name="qcidlink_unique")]


class CatalogueEvent(models.Model):
    """An event of the delivery catalogue, derived as a call advances; deliveries fan out from it.

    Written on the ingest path like stored events, so its foreign keys have no index of their
    own either: account, pbx and call each lead one of the composite indexes below.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="+", db_index=False)
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.CASCADE, related_name="catalogue_events",
                             db_index=False)
    key = models.CharField(max_length=160)  # stable: the same fact never yields two events
    trigger = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField(default=0)  # order within the call
    occurred_at = models.DateTimeField()
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pbx", "key"], name="catevent_unique_key")]
        indexes = [models.Index(fields=["account", "created_at"], name="catevent_account_created"),
                   models.Index(fields=["call", "sequence"], name="catevent_call_seq")]
