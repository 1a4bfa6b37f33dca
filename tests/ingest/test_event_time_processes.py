"""Slow (about a minute): thousands of simulated calls through the real processes.
`manage.py import_logs` of the three files and `manage.py ingest` following the same files
from the start (killed half-way and started again) store the same catalogue: the same keys,
triggers and payloads (issue 17: following gave 0 call_received where importing gave 10,484)."""
import json
import os

from integrations.simulator import generate, write_batch
from tests.ingest.hub_processes import PBX, hub_db, hub_process, wait_for
from tests.ingest.traffic import FILES, START

# HUB_SLOW_CALLS=20000 reproduces the size of the campaign (tens of minutes).
N_CALLS = int(os.environ.get("HUB_SLOW_CALLS", "2000"))


def _catalogue(db) -> dict[str, tuple[str, dict]]:
    return {key: (trigger, json.loads(payload))
            for key, trigger, payload in db.query("SELECT key, trigger, payload FROM hub_catalogueevent")}


def _caught_up(db, sizes) -> bool:
    rows = db.query("SELECT path, position, behind FROM hub_ingestsource")
    return len(rows) == 3 and all(
        position and json.loads(position)["offset"] == sizes[path] and not behind for path, position, behind in rows)


def test_following_thousands_of_calls_stores_the_catalogue_importing_them_stores(tmp_path):
    traffic = tmp_path / "pbx"
    write_batch(traffic, generate(start=START, n_calls=N_CALLS, seed=17, calls_per_minute=30))
    files = [str((traffic / name).resolve()) for name in FILES.values()]
    sizes = {path: os.path.getsize(path) for path in files}

    (tmp_path / "a").mkdir()
    imported = hub_db(tmp_path / "a")
    imported.manage("import_logs", "--pbx", PBX, "--no-progress", *files, timeout=1800)

    (tmp_path / "b").mkdir()
    followed = hub_db(tmp_path / "b")
    followed.file_sources_ensure(traffic)
    args = ("ingest", "--poll-interval", "0.1", "--reload-every", "0.5")
    with hub_process(followed, *args, log_path=tmp_path / "ingest-1.log") as ingest:
        wait_for(lambda: followed.scalar("SELECT count(*) FROM hub_catalogueevent") > 1000, timeout=900,
                 interval=0.5, what="the follower to be under way", alive=ingest)
        ingest.kill()  # half-way: no clean-up, as when the host loses power
    with hub_process(followed, *args, log_path=tmp_path / "ingest-2.log") as ingest:
        wait_for(lambda: _caught_up(followed, sizes), timeout=1800, interval=1, what="the follower to catch up",
                 alive=ingest)
        # Stopped only once it says it runs: a SIGTERM before its handler is installed kills it.
        wait_for(lambda: "ingest: running" in ingest.output(), timeout=60, what="start", alive=ingest)
        assert ingest.terminate() == 0
    # The files went silent: what waits for their next lines goes out (the beat task's flush).
    followed.manage("shell", "-v", "0", "-c", (
        "from hub.models import Pbx\n"
        "from hub.services.ingest.flush import catalogue_flush\n"
        f"catalogue_flush(pbx=Pbx.objects.get(slug={PBX!r}))\n"))

    ours, reference = _catalogue(followed), _catalogue(imported)
    assert len(reference) > 10 * N_CALLS // 2
    assert ours == reference
