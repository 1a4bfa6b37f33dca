"""The ingest process serves its own metrics port: after following real PBX files, what it
reports matches what it stored."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import requests

from integrations.simulator import generate, write_batch
from tests.ingest.hub_processes import TZ, HubDb, free_port, hub_db, hub_process, wait_for
from tests.metrics.scrape import Scraped, scrape

JUNK = b"this line is no 3CX record\n"


def _traffic(directory: Path) -> None:
    # Recent PBX time, so the lag is the hub's and not the sample's age.
    start = datetime.now(TZ) - timedelta(minutes=30)
    write_batch(directory, generate(start=start, n_calls=20, calls_per_minute=30, seed=7))
    with open(directory / "3CXCallFlow.log", "ab") as log:
        log.write(JUNK * 3)


def _database(db: HubDb) -> dict:
    stored = dict(db.query("SELECT source, count(*) FROM hub_storedpbxevent GROUP BY source"))
    skipped: dict[tuple[str, str], int] = {}
    for kind, counts in db.query("SELECT kind, skipped FROM hub_ingestsource"):
        for reason, n in (json.loads(counts) if isinstance(counts, str) else counts or {}).items():
            skipped[kind, reason] = skipped.get((kind, reason), 0) + n
    triggers = dict(db.query("SELECT \"trigger\", count(*) FROM hub_catalogueevent GROUP BY \"trigger\""))
    return {"stored": stored, "skipped": skipped, "triggers": triggers}


def _reported(scraped: Scraped, pbx_id: int) -> dict:
    stored = {source: int(n) for source, n in scraped.by("hub_ingest_events_total", "source").items()}
    skipped = {(dict(labels)["source"], dict(labels)["reason"]): int(value)
               for (name, labels), value in scraped.samples.items() if name == "hub_ingest_lines_skipped_total"}
    triggers = {t: int(n) for t, n in scraped.by("hub_catalogue_events_total", "trigger").items()}
    assert set(scraped.by("hub_ingest_events_total", "pbx")) <= {str(pbx_id)}
    return {"stored": stored, "skipped": skipped, "triggers": triggers}


def test_the_ingest_process_reports_what_it_stored_on_its_own_port(tmp_path):
    directory = tmp_path / "pbx"
    _traffic(directory)
    db = hub_db(tmp_path)
    db.file_sources_ensure(directory)
    pbx_id = db.scalar("SELECT id FROM hub_pbx WHERE slug = 'hq'")
    port = free_port()
    db.env["METRICS_INGEST_PORT"] = str(port)
    base = f"http://127.0.0.1:{port}"

    with hub_process(db, "ingest", "--poll-interval", "0.1", log_path=tmp_path / "ingest.log") as ingest:
        def settled():
            # Everything read, and the counters agree with the database between two scrapes.
            before = _reported(scrape(base), pbx_id)
            state = _database(db)
            return state if state["stored"] and before == state == _reported(scrape(base), pbx_id) and \
                state["skipped"] else None
        wait_for(lambda: _listening(base) and settled(), timeout=120, interval=0.5, what="the counters", alive=ingest)
        scraped = scrape(base)

    assert set(_database(db)["stored"]) == {"callflow", "queuemanager", "cdr"}
    assert sum(_database(db)["skipped"].values()) >= 3  # the junk lines at least
    assert scraped.value("hub_ingest_lag_seconds_count", source="callflow") >= 1
    assert scraped.value("hub_ingest_last_poll_timestamp_seconds") > datetime.now().timestamp() - 3600
    assert "hub_deliveries_due" not in scraped.text


def _listening(base: str) -> bool:
    try:
        return requests.get(base + "/metrics", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False
