"""Pushes of one PBX arriving at the same moment on several web workers: each call is still
assembled once, whatever order the transactions commit in (PostgreSQL: the PBX's advisory
lock; SQLite: IMMEDIATE transactions wait on the busy timeout, never "database is locked")."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from hub.models import Call, StoredPbxEvent
from hub.services.ingest import events_ingest
from integrations.native_json import parse_native_push
from tests.factories import make_account

STAGES = [("call.incoming", {"caller_number": "+493012345", "did": "+493099999"}),
          ("user.ringing", {"user": "100", "user_name": "Ann"}),
          ("call.answered", {"user": "100", "user_name": "Ann"}),
          ("call.terminated", {"reason": "hangup"})]
START = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)


def _push(call: int, stage: int) -> list:
    kind, data = STAGES[stage]
    return parse_native_push([{"id": f"race-{call}-{stage}", "kind": kind, "pbx_call_id": str(700 + call),
                               "occurred_at": (START + timedelta(minutes=call, seconds=stage)).isoformat(),
                               "data": data}])


@pytest.mark.django_db(transaction=True)
def test_one_calls_events_pushed_at_the_same_moment_make_one_call():
    _, pbx, _ = make_account(timezone="+00:00")
    calls, errors = 12, []
    for call in range(calls):
        barrier = threading.Barrier(len(STAGES))

        def push(stage: int, call: int = call, barrier: threading.Barrier = barrier) -> None:
            try:
                events = _push(call, stage)
                barrier.wait(timeout=10)
                events_ingest(pbx=pbx, events=events)
            except Exception as exc:  # reported below: a thread's failure must fail the test
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=push, args=(stage,)) for stage in range(len(STAGES))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert Call.objects.count() == calls
    assert StoredPbxEvent.objects.filter(call__isnull=True).count() == 0
    for call in Call.objects.all():
        assert call.pbx_events.count() == len(STAGES)
        assert call.state == "ended" and call.connected_at is not None
