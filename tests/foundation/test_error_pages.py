import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/webhooks/abc", "/api/v1/nothing-here", "/ingest/unknown/"])
def test_unmatched_api_paths_answer_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Not found", "code": 404, "data": []}


@pytest.mark.django_db
def test_unmatched_pages_stay_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
