"""Two accounts with the same extensions, queue names and even call ids never see each other's calls."""
import pytest

from hub.models import Call, PbxUser, Queue, RingGroup
from tests.api_history.conftest import account_with_key, get, ingest_sample

ENDPOINTS = [
    ("/api/integration/v2/get-user-calls", {"users": "102,103"}),
    ("/api/integration/v2/get-user-calls", {}),
    ("/api/integration/v2/get-queue-calls", {"queues_names": "Sales"}),
    ("/api/integration/v2/get-queue-calls", {"queues_names": "822"}),
    ("/api/integration/v2/get-ringgroup-calls", {"ringgroups_names": "830"}),
    ("/api/integration/v2/get-user-calls", {"unique_call_id": "250301080017_874"}),
    ("/api/v1/calls", {}),
    ("/api/v1/calls", {"user": "102", "queue": "Sales"}),
    ("/api/v1/calls/250301080017_874", {}),
]


@pytest.fixture
def two_accounts(db):
    accounts = {}
    for slug in ("alpha", "beta"):
        account, pbx, key = account_with_key(slug)
        ingest_sample(pbx)
        marker = f"{slug}-only"
        Call.objects.filter(account=account).update(caller_name=marker, caller_number=marker)
        for model in (PbxUser, Queue, RingGroup):
            model.objects.filter(pbx=pbx).exclude(name="Sales").update(name=f"{marker}-name")
        accounts[slug] = key
    return accounts


@pytest.mark.parametrize("path,params", ENDPOINTS, ids=[f"{p}?{q}" for p, q in ENDPOINTS])
@pytest.mark.parametrize("reader,other", [("alpha", "beta"), ("beta", "alpha")])
def test_a_key_sees_only_its_own_account(client, two_accounts, path, params, reader, other):
    response = get(client, path, two_accounts[reader], limit=1000, **params)

    assert response.status_code == 200
    text = response.content.decode()
    assert f"{other}-only" not in text and f"{other}-pbx" not in text
    assert f"{reader}-only" in text


def test_counts_equal_a_single_account_with_the_sample(client, two_accounts):
    rows = get(client, "/api/integration/v2/get-user-calls", two_accounts["alpha"], limit=10000).json()["data"]

    assert len(rows) == sum(c.user_legs.count() for c in Call.objects.filter(account__slug="alpha"))
