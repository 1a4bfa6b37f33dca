import pytest
from django.core.cache import cache

from integrations.pbx_drivers.threecx import TOKENS


@pytest.fixture(autouse=True)
def _fresh_state():
    TOKENS.clear()
    cache.clear()
    yield
    TOKENS.clear()
    cache.clear()


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[str, int]]:
    """Tasks the services would send to the broker, instead of sending them."""
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr("hub.services.click_to_call.enqueue",
                        lambda name, click_id, countdown=None: sent.append((name, click_id)))
    return sent
