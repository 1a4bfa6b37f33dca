from django.db import models


class DatabaseOutage(models.Model):
    """A time the hub's processes could not reach the database (hub.services.outages).

    Written once the database answers again by the first process that saw it fail (a web
    worker that answered a push 503, the ingest process, the worker's beat task); a process
    that saw the same outage later joins this row. The push streams of the PBXes are held
    while their senders retry what was refused (Pbx.push_held_at), and the beat task does not
    count the outage as quiet time."""

    # The first failure any process noted (the database went away at or before it) and the
    # first moment one reached it again (wall clock).
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    # How many processes noted it (each one that saw a failure records it once).
    noted_by = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-ended_at"]
        indexes = [models.Index(fields=["ended_at"], name="outage_ended_idx")]

    def __str__(self) -> str:
        return f"database outage {self.started_at:%Y-%m-%d %H:%M:%S} to {self.ended_at:%H:%M:%S}"
