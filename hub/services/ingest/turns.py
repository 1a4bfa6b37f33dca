"""One writer of a PBX's calls at a time."""
from __future__ import annotations

from django.db import connection

from hub.models import Pbx

# pg_advisory_xact_lock(namespace, pbx id): the namespace keeps the hub's ingest locks apart
# from any other advisory lock on the database ("HUBI").
_NAMESPACE = 0x48554249


def pbx_turn_take(pbx: Pbx) -> None:
    """In the caller's transaction, wait until no other transaction writes this PBX's calls.

    Pushes arrive on several web workers at once (the 3CX plugin sends each event of a call as
    its own request), beside the log tailer, the CDR server and the idle-call closer. Linking
    reads the calls stored so far and must see the one a concurrent transaction is creating,
    or each event opens a call of its own. On PostgreSQL a transaction-scoped advisory lock
    per PBX (other PBXes go on in parallel); SQLite's IMMEDIATE transactions already let one
    writer in at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_NAMESPACE, pbx.pk])
