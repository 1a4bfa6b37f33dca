"""`manage.py simulate_pbx` writing live traffic while `manage.py ingest` follows it: the demo
set-up, end to end through real files, both stopped as a service manager stops them."""
from tests.ingest.hub_processes import PBX, hub_db, hub_process, wait_for

# With this seed and rate, calls start at once and a few short ones (unanswered outbound,
# missed ring group) end within 5-9 s of the start (the first after 4.6 s); real time, so nothing ends sooner.
SEED, CALLS_PER_MINUTE = 9, 1200


def _ended_calls(db) -> int:
    return db.scalar("SELECT count(*) FROM hub_call WHERE state = 'ended'")


def test_simulated_pbx_traffic_is_followed_into_calls_and_both_stop_cleanly(tmp_path):
    db = hub_db(tmp_path)
    traffic = tmp_path / "pbx"
    with hub_process(db, "ingest", "--poll-interval", "0.1", "--reload-every", "0.5",
                     log_path=tmp_path / "ingest.log") as ingest, \
         hub_process(db, "simulate_pbx", "--pbx", PBX, "--dir", str(traffic), "--seed", str(SEED),
                     "--calls-per-minute", str(CALLS_PER_MINUTE), log_path=tmp_path / "simulate.log") as simulate:
        wait_for(lambda: _ended_calls(db) >= 1, timeout=40, interval=0.2,
                 what="a simulated call to end and be assembled", alive=ingest)
        assert simulate.proc.poll() is None
        assert simulate.terminate() == 0
        assert ingest.terminate() == 0
    assert "simulate_pbx: stopped after" in simulate.output()
    assert "ingest: stopped" in ingest.output() and "Traceback" not in ingest.output()

    sources = db.sources()
    assert {s["kind"] for s in sources.values()} == {"callflow_log", "queuemanager_log", "cdr_file"}
    assert all(s["last_error"] == "" for s in sources.values())
    assert max(s["events_stored"] for s in sources.values() if s["kind"] == "callflow_log") > 0
    calls = db.calls_as_dicts()
    assert len(calls) > 20
    assert not [uid for uid in calls if uid.startswith("pending-")]
    ended = [c for c in calls.values() if c["ended_at"]]
    assert ended
    for call in ended:
        assert call["call_duration"] >= call["conversation_duration"] >= 0, call
        assert call["call_start_at"] <= call["ended_at"], call
        assert call["users"], call
    for call in calls.values():
        assert call["caller_number"] and call["call_start_at"], call
