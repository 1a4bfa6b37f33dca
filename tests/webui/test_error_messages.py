"""Delivery errors in the admin's words, with what to do; a URL the hub will refuse is refused at save."""
import socket
from contextlib import contextmanager

import pytest
from django.urls import reverse

from hub.models import Delivery, DeliveryStatus, WebhookEndpoint
from tests.webui.conftest import make_delivery, make_endpoint
from tests.webui.receiver import receiver

VALID = {"dialect": "json", "triggers": ["user_inbound"], "timeout_seconds": "10", "enabled": "on"}


@contextmanager
def silent_listener():
    """Accepts connections (the kernel does) and never answers: every request times out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def _test_page(admin, endpoint) -> str:
    return admin.post(reverse("webui:webhook-test", args=[endpoint.pk]), {"trigger": "user_inbound"}, follow=True).content.decode()


def test_a_refused_connection_says_so_and_what_to_do(admin, world):
    page = _test_page(admin, make_endpoint(world.account, url=closed_port_url()))
    assert "Connection refused" in page and "Nothing is listening at that host and port." in page


def test_a_timeout_says_so_and_what_to_do(admin, world):
    with silent_listener() as url:
        page = _test_page(admin, make_endpoint(world.account, url=url, timeout_seconds=1))
    assert "Timed out" in page and "did not answer within the endpoint&#x27;s timeout" in page


def test_a_failed_tls_handshake_says_so(admin, world):
    with receiver() as (url, _):  # plain HTTP where https:// expects a TLS server
        page = _test_page(admin, make_endpoint(world.account, url=url.replace("http://", "https://")))
    assert "TLS failed" in page and "certificate" in page


def test_a_refused_address_reads_as_not_allowed_in_the_lists(viewer, world):
    endpoint = make_endpoint(world.account)
    delivery = make_delivery(endpoint, status=DeliveryStatus.FAILED)
    Delivery.objects.filter(pk=delivery.pk).update(last_error="ssrf_refused: refused 10.1.2.3: 10.1.2.3: private address")
    listing = viewer.get(reverse("webui:deliveries")).content.decode()
    assert "Address not allowed for this account" in listing
    detail = viewer.get(reverse("webui:delivery", args=[delivery.pk])).content.decode()
    assert "Address not allowed for this account</span>. The URL leads to a private or internal address" in detail


@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "https://192.168.1.20/x", "http://[fd00::1]/hook",
                                 "http://169.254.169.254/latest/meta-data"])
def test_a_private_address_is_refused_at_save(admin, world, url):
    page = admin.post(reverse("webui:webhook-new"), VALID | {"url": url}).content.decode()
    assert "is a private or internal address, which the hub does not send to." in page
    assert not WebhookEndpoint.objects.exists()


def test_an_address_the_operator_allowed_is_saved(admin, world):
    # The test settings allow 127.0.0.0/8 (WEBHOOK_ALLOW_PRIVATE_NETWORKS), as the demo does.
    admin.post(reverse("webui:webhook-new"), VALID | {"url": "http://127.0.0.1:9/hook"})
    assert WebhookEndpoint.objects.filter(url="http://127.0.0.1:9/hook").exists()


def test_the_event_families_carry_no_internal_names(admin):
    page = admin.get(reverse("webui:webhook-new")).content.decode()
    assert "seed 000" not in page and "Queue legs (3CX Call Events to REST)" in page
