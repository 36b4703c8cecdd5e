"""Operations: health, readiness, metrics, API keys, the lifecycle document, the OpenAPI document (current,
3.1, and a property-based test from it that finds no 5xx), the migrations (the schema they make is the
models'; offline SQL), the outbox relay, and the instalment schedules."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
import schemathesis
from conftest import make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from app import schedule
from app.db import Base
from app.lifecycle import LIFECYCLE, PRODUCT
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


def test_health_readiness_and_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "problems": []}
    assert b"workflow_transitions" in client.get("/metrics").content


def test_api_keys(make_client):
    client = make_client(api_keys="k1, k2")
    assert client.get("/v1/portfolio").status_code == 401
    assert client.get("/v1/portfolio", headers={"X-API-Key": "k2"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_lifecycle_document(client):
    got = client.get("/v1/lifecycle").json()
    assert got["lifecycle"] == json.loads(json.dumps(LIFECYCLE))
    assert got["product"]["id"] == PRODUCT["id"]


def test_the_outbox_relay_publishes_what_was_committed(make_client, tmp_path):
    from drive import applicant, submit

    target = tmp_path / "events.jsonl"
    client = make_client(outbox_publisher=f"jsonl:{target}", outbox_interval_seconds=0.05)
    app = submit(client, applicant("approve")).json()
    relay = client.app.state.service.relay
    relay.relay_once()
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines and {line["application_id"] for line in lines} == {app["id"]}
    assert "application.submitted" in {line["topic"] for line in lines}


def test_openapi_json_is_the_app_s_document():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from export_openapi import document_text
    finally:
        sys.path.pop(0)
    assert (ROOT / "openapi.json").read_text(encoding="utf-8") == document_text(), "run `make openapi`"
    assert DOCUMENT["openapi"].startswith("3.1.")
    assert {"/v1/applications", "/v1/applications/{application_id}", "/v1/applications/{application_id}/events",
            "/v1/queues/manual-review", "/v1/collections/due", "/v1/portfolio"} <= set(DOCUMENT["paths"])


def test_the_migrations_make_the_models_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_offline_migration_sql(tmp_path):
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = "postgresql+psycopg://user@localhost/loans"
    out = tmp_path / "upgrade.sql"
    with open(out, "w", encoding="utf-8") as buffer:
        config.output_buffer = buffer
        command.upgrade(config, "head", sql=True)
    sql = out.read_text(encoding="utf-8")
    assert "CREATE TABLE applications" in sql and "CREATE TABLE outbox" in sql


@pytest.mark.parametrize("method", PRODUCT["repayment"])
def test_schedules_repay_the_principal(method):
    rows = schedule.build(1_000_000, 0.18, 12, method, dt.date(2026, 1, 31))
    assert sum(r["principal"] for r in rows) == 1_000_000
    assert all(r["interest"] >= 0 and r["principal"] >= 0 for r in rows)
    assert rows[-1]["due_date"] == "2027-01-31" and rows[0]["due_date"] in ("2026-02-28", "2027-01-31")
    paid = schedule.pay(rows, schedule.outstanding(rows))
    assert schedule.outstanding(paid) == 0 and schedule.outstanding_principal(paid) == 0
    with pytest.raises(ValueError):
        schedule.pay(rows, schedule.outstanding(rows) + 1)


@pytest.fixture(scope="module")
def api(tmp_path_factory, database_url):
    application = create_app(make_settings(database_url))
    with TestClient(application):
        yield application


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_the_api_never_answers_5xx(case, api):
    response = case.call(app=api)
    case.validate_response(response, checks=[not_a_server_error])
