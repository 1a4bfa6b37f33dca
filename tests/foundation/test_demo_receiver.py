"""The demo's webhook receiver: `./hubctl run` subscribes the demo account to it, so deliveries
flow in the demo (and the delivery metrics count something)."""
import json
import threading
import urllib.error
import urllib.request

import pytest

from hub.demo_receiver import DemoReceiver
from hub.models import DeliveryStatus, Pbx, WebhookEndpoint
from hub.services.delivery import webhook_endpoint_delete
from hub.services.demo import RECEIVER_NAME, RETIRED_NAME, demo_ensure, demo_receiver_ensure
from tests.delivery_engine.engine import emit, run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_receiver():
    server = DemoReceiver(("127.0.0.1", 0), fail_every=3, refuse_every=5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _post(url: str) -> int:
    request = urllib.request.Request(url, data=b"{}", headers={"webhook-id": "msg_1"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_it_answers_like_a_receiver_on_a_normal_day(demo_receiver):
    server, base = demo_receiver
    statuses = [_post(f"{base}/webhooks") for _ in range(6)]
    assert statuses == [204, 204, 503, 204, 400, 503]  # every 3rd fails, every 5th is refused
    assert _post(f"{base}/gone") == 410
    with urllib.request.urlopen(base + "/", timeout=10) as answer:
        status = json.loads(answer.read())
    assert status["requests"] == 7 and status["answers"] == {"204": 3, "400": 1, "410": 1, "503": 2}
    assert status["last"][-1] == {"webhook_id": "msg_1", "path": "/gone", "status": 410}


def test_the_demo_account_is_subscribed_and_its_deliveries_arrive(settings, tmp_path, demo_receiver):
    settings.VAR_DIR = tmp_path
    server, base = demo_receiver
    server.fail_every = server.refuse_every = 0
    demo_ensure(var_dir=tmp_path)
    main, retired = demo_receiver_ensure(var_dir=tmp_path, base_url=base)
    assert (main.name, main.url, retired.name, retired.url) == (RECEIVER_NAME, f"{base}/webhooks", RETIRED_NAME,
                                                                 f"{base}/gone")
    pbx = Pbx.objects.get(account=main.account)
    deliveries = emit(pbx, "call_received")
    assert {d.endpoint_id for d in deliveries} == {main.pk, retired.pk}
    run_due()
    assert server.status()["answers"] == {"204": 1, "410": 1}
    main.refresh_from_db()
    retired.refresh_from_db()
    assert main.enabled and not retired.enabled  # the hub disabled the one answering 410 by itself
    assert {d.endpoint_id: d.status for d in main.deliveries.all()} == {main.pk: DeliveryStatus.DELIVERED}

    # The next start: same endpoints, on the receiver's new port, the retired one enabled again.
    again = demo_receiver_ensure(var_dir=tmp_path, base_url="http://127.0.0.1:9")
    assert [e.pk for e in again] == [main.pk, retired.pk]
    assert again[0].url == "http://127.0.0.1:9/webhooks" and again[1].enabled
    # One an admin deletes stays deleted.
    webhook_endpoint_delete(endpoint=again[0], actor="admin@example.com")
    assert [e.pk for e in demo_receiver_ensure(var_dir=tmp_path, base_url=base)] == [retired.pk]
    assert WebhookEndpoint.objects.filter(account=main.account).count() == 1
