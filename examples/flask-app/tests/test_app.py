import pytest

from app import app


@pytest.fixture()
def client():
    app.config.update(TESTING=True)
    return app.test_client()


def test_health_reports_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_known_item(client):
    response = client.get("/items/rope")
    assert response.get_json() == {"name": "rope", "count": 12, "in_stock": True}


def test_unknown_item_is_404(client):
    assert client.get("/items/kraken").status_code == 404


def test_restock_adds_to_count(client):
    response = client.post("/items/sail", json={"count": 2})
    assert response.status_code == 200
    assert response.get_json()["count"] == 2


def test_restock_rejects_negative(client):
    assert client.post("/items/sail", json={"count": -1}).status_code == 400
