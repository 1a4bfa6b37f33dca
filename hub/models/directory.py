"""The PBX directory: users (extensions), queues and ring groups, per PBX.

Rows are created or updated when ingested traffic names them and are editable by admins;
``edited_by_admin`` keeps traffic from overwriting a name an admin corrected.
"""
from django.db import models

from hub.models.pbx import Pbx


class DirectoryEntry(models.Model):
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=32)
    name = models.CharField(max_length=200, blank=True)
    edited_by_admin = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class PbxUser(DirectoryEntry):
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField(blank=True)

    class Meta(DirectoryEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["pbx", "number"], name="pbxuser_unique_number")]


class Queue(DirectoryEntry):
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="queues")
    agents = models.ManyToManyField(PbxUser, blank=True, related_name="queues")

    class Meta(DirectoryEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["pbx", "number"], name="queue_unique_number")]


class RingGroup(DirectoryEntry):
    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="ring_groups")
    members = models.ManyToManyField(PbxUser, blank=True, related_name="ring_groups")

    class Meta(DirectoryEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["pbx", "number"], name="ringgroup_unique_number")]
