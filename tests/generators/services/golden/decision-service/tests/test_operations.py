"""`/healthz`, `/readyz` and `GET /v1/product`."""

from __future__ import annotations

from app import decision as compiled
from app.product import PRODUCT


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "problems": []}


def test_not_started_is_not_ready(tmp_path):
    from conftest import make_settings
    from fastapi.testclient import TestClient

    from app.main import create_app

    client = TestClient(create_app(make_settings(tmp_path)))  # no lifespan: the log writer never started
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["decision log writer is not running"]


def test_the_product_is_described_as_its_spec_has_it(client):
    got = client.get("/v1/product").json()
    assert got == PRODUCT
    assert (got["id"], got["version"], got["spec_hash"]) == (
        compiled.PRODUCT_ID, compiled.PRODUCT_VERSION, compiled.SPEC_HASH)
    assert {r["code"] for r in got["reasons"]} == set(compiled.REASONS)
    for rule in got["rules"]:
        assert rule["when"] and rule["plain"]["zh"] and rule["plain"]["en"]
