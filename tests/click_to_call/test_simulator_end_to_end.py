"""The demo path, end to end: the API queues a call, the task asks the live simulator, the
simulator writes the call's log lines, ingest reads them, and the status follows the call:
queued → ringing_user → connected."""
import threading
import time

import pytest
from django.test import Client

from hub.click_to_call_tasks import place, watch
from hub.vocabulary.timezones import parse_timezone
from hub.services.ingest.follow import SourceFollower
from hub.services.ingest.sources import file_sources_ensure
from integrations.simulator import run_live
from tests.click_to_call.helpers import key_for, pbx_with_users

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.click_to_call.urls")]
# The simulator's clock runs this much faster than real time, so the number answers within seconds.
SPEED = 8


@pytest.fixture
def simulator(tmp_path):
    stop = threading.Event()
    thread = threading.Thread(target=run_live, daemon=True, kwargs=dict(
        out_dir=tmp_path, tz=parse_timezone("Australia/Melbourne"), calls_per_minute=0.01, stop_event=stop, seed=4,
        speed=SPEED, click_to_call_inbox=tmp_path / "click_to_call", poll_interval=0.05))
    thread.start()
    yield tmp_path
    stop.set()
    thread.join(timeout=5)


def test_click_to_call_through_the_live_simulator_goes_queued_ringing_connected(simulator, enqueued):
    account, pbx = pbx_with_users("demo", "103", simulator_dir=str(simulator), timeout_seconds=10)
    key = key_for(account)
    client = Client()
    response = client.post("/api/integration/v2/call-to-number",
                           {"user_number": "103", "number_to_call": "+61355501234"}, HTTP_TOKEN=key)
    assert response.status_code == 202, response.content
    click_id = response.json()["data"]["id"]
    status_url = f"/api/v1/calls/originate/{click_id}"
    seen = [client.get(status_url, HTTP_TOKEN=key).json()["data"]["status"]]

    assert place.apply(args=[click_id]).get() == "ringing_user"
    seen.append(client.get(status_url, HTTP_TOKEN=key).json()["data"]["status"])

    followers = [SourceFollower(source) for source in file_sources_ensure(pbx=pbx, directory=simulator)]
    deadline = time.monotonic() + 45
    try:
        while watch.apply(args=[click_id]).get() == "ringing_user" and time.monotonic() < deadline:
            for follower in followers:
                follower.poll()
            time.sleep(0.2)
    finally:
        for follower in followers:
            follower.close()
    data = client.get(status_url, HTTP_TOKEN=key).json()["data"]
    seen.append(data["status"])
    assert seen == ["queued", "ringing_user", "connected"], data
    assert data["unique_call_id"] and data["connected_at"] and data["pbx_reference"]
    call = client.get(f"/api/v1/calls/{data['unique_call_id']}", HTTP_TOKEN=key)
    assert call.status_code == 200
