"""/api/v1/calls: keyset cursor paging returns every call exactly once, in order, with filters."""
import pytest

from hub.models import Call
from tests.api_history.conftest import get
from tests.ingest.samples import expected_calls


def _walk(client, key, **params) -> list[dict]:
    calls, response = [], get(client, "/api/v1/calls", key, **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        calls += body["data"]
        if body["next"] is None:
            return calls
        response = client.get(body["next"], HTTP_TOKEN=key)


@pytest.mark.django_db
@pytest.mark.parametrize("sort_by", ["newest_first", "oldest_first"])
@pytest.mark.parametrize("limit", [1, 7, 60, 1000])
def test_cursor_returns_every_call_exactly_once(client, key, sort_by, limit):
    calls = _walk(client, key, limit=limit, sort_by=sort_by)
    ids = [c["unique_call_id"] for c in calls]

    assert sorted(ids) == sorted(c["unique_call_id"] for c in expected_calls())
    assert len(ids) == len(set(ids))
    starts = [c["call_start_at"] for c in calls]
    assert starts == sorted(starts, reverse=sort_by == "newest_first")


@pytest.mark.django_db
def test_calls_sharing_a_start_second_are_ordered_by_id_and_not_lost(client, acme):
    _, _, key = acme
    first = Call.objects.order_by("call_start_at").first()
    Call.objects.update(call_start_at=first.call_start_at)  # every call starts at the same instant

    ids = [c["unique_call_id"] for c in _walk(client, key, limit=4, sort_by="oldest_first")]
    assert ids == list(Call.objects.order_by("pk").values_list("unique_call_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("params,keep", [
    ({"direction": "internal"}, lambda c: c["direction"] == "internal"),
    ({"status": "answered"}, lambda c: c["connected_at"] is not None),
    ({"status": "unanswered"}, lambda c: c["connected_at"] is None),
    ({"caller_number": "anonymous"}, lambda c: c["caller_number"] == "anonymous"),
    ({"did": "0354060753"}, lambda c: c["did"] == "0354060753"),
    ({"user": "102"}, lambda c: any(u["user"] == "102" for u in c["users"])),
    ({"queue": "Sales"}, lambda c: any(q["queue"] == "822" for q in c["queues"])),
    ({"from": "2025-03-01T08:05:00+11:00", "to": "2025-02-28T21:10:00Z"},
     lambda c: "2025-03-01T08:05:00+11:00" <= c["call_start_at"] < "2025-03-01T08:10:00+11:00"),
    ({"from": "2025-03-01", "to": "2025-03-01"}, lambda c: True),
    ({"to": "2025-02-28"}, lambda c: False),
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) if isinstance(p, dict) else "")
def test_filters(client, key, params, keep):
    got = sorted(c["unique_call_id"] for c in _walk(client, key, limit=5, **params))

    assert got == sorted(c["unique_call_id"] for c in expected_calls() if keep(c))


@pytest.mark.django_db
def test_list_rows_are_whole_calls(client, key):
    call = get(client, "/api/v1/calls", key, limit=1, sort_by="oldest_first").json()["data"][0]
    expected = expected_calls()
    first = min(expected, key=lambda c: c["call_start_at"])

    assert {k: call[k] for k in first} == first
    assert call["pbx"] == "acme-pbx"
