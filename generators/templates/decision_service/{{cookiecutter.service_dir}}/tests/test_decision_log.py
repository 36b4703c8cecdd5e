"""The decision log: every decision written with PII masked; a failing database or a full queue is
counted, logged and makes the service unready, never silent."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from conftest import EXAMPLES
from sqlalchemy import create_engine, select

from app.core.decision_log import MASK, decision_log_table
from app.product import PII_FIELDS, PRODUCT


def _rows(tmp_path) -> list:
    """The logged rows, JSON columns parsed."""
    engine = create_engine(f"sqlite:///{tmp_path / 'decisions.db'}")
    try:
        with engine.connect() as connection:
            rows = [row._asdict() for row in connection.execute(select(decision_log_table))]
    finally:
        engine.dispose()
    for row in rows:
        for column in ("reasons", "inputs", "outputs"):
            row[column] = json.loads(row[column])
    return rows


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _metric(client, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}")


def test_every_decision_is_written_with_what_it_decided(make_client, tmp_path, applicant):
    client = make_client()
    applicants = [e["applicant"] for e in EXAMPLES] or [applicant]
    answers = [client.post("/v1/decisions", json=a).json() for a in applicants]
    answers += client.post("/v1/decisions:batch", json={"applicants": applicants}).json()["decisions"]
    client.__exit__(None, None, None)  # shutdown drains the queue
    rows = {r["decision_id"]: r for r in _rows(tmp_path)}
    assert len(rows) == len(answers)
    for answer, sent in zip(answers, applicants + applicants, strict=True):
        row = rows[answer["decision_id"]]
        assert (row["decision"], row["segment"], row["band"], row["score"]) == (
            answer["decision"], answer["segment"], answer["band"], answer["score"])
        assert (row["product_id"], row["product_version"], row["spec_hash"]) == (
            PRODUCT["id"], PRODUCT["version"], PRODUCT["spec_hash"])
        assert row["reasons"] == [r["code"] for r in answer["reasons"]]
        assert row["outputs"] == answer
        assert set(row["inputs"]) == set(sent)
        assert abs(dt.datetime.fromisoformat(row["decided_at"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert _metric(client, "decision_log_written_total") == len(answers)


def test_pii_fields_are_masked_and_the_rest_kept(make_client, tmp_path, applicant):
    if not PII_FIELDS:
        pytest.skip("this product has no PII field: nothing to mask")
    client = make_client()
    applicants = [e["applicant"] for e in EXAMPLES] or [applicant]
    for a in applicants:
        client.post("/v1/decisions", json=a)
    client.__exit__(None, None, None)
    rows = _rows(tmp_path)
    assert len(rows) == len(applicants)
    masked = [v for r in rows for k, v in r["inputs"].items() if k in PII_FIELDS and v is not None]
    sent = [a[f] for a in applicants for f in PII_FIELDS if a.get(f) is not None]
    assert masked == [MASK] * len(sent)
    unmatched = [{k: v for k, v in r["inputs"].items() if k not in PII_FIELDS} for r in rows]
    for a in applicants:  # every applicant's other values are kept as sent (numbers compare as numbers)
        unmatched.remove({k: v for k, v in a.items() if k not in PII_FIELDS})
    stored = (tmp_path / "decisions.db").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("decisions.db-*"))
    for value in sent:
        if isinstance(value, str) and len(value) >= 4:
            assert value.encode() not in stored


def test_a_failing_database_is_counted_logged_and_unready(make_client, tmp_path, applicant, caplog):
    caplog.set_level(logging.ERROR, logger="decision_service.decision_log")
    client = make_client(log_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}", log_drain_seconds=0.2)
    assert client.post("/v1/decisions", json=applicant).status_code == 200  # the decision is not held up
    assert _wait_for(lambda: _metric(client, "decision_log_write_failures_total") >= 1)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unready"
    assert any("decision log writes are failing" in p for p in ready.json()["problems"])
    assert any("decision log: writing 1 entries failed" in r.getMessage() for r in caplog.records)
    client.__exit__(None, None, None)
    assert _metric(client, "decision_log_dropped_total") == 1  # not written at shutdown: counted
    assert any("could not be written before shutdown" in r.getMessage() for r in caplog.records)


def test_a_full_queue_drops_counts_logs_and_is_unready(make_client, tmp_path, applicant, caplog):
    caplog.set_level(logging.ERROR, logger="decision_service.decision_log")
    client = make_client(log_url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}", log_queue_size=1,
                         log_drain_seconds=0.2)
    for _ in range(5):
        assert client.post("/v1/decisions", json=applicant).status_code == 200
    assert _metric(client, "decision_log_dropped_total") >= 1
    assert any("queue full" in r.getMessage() for r in caplog.records)
    problems = client.get("/readyz").json()["problems"]
    assert any("queue is 1/1 full" in p or "failing" in p for p in problems)
    client.__exit__(None, None, None)
    assert _metric(client, "decision_log_dropped_total") == 5  # every entry accounted for


def test_a_recovered_database_is_ready_again(make_client, tmp_path, applicant):
    folder = tmp_path / "later"
    client = make_client(log_url=f"sqlite:///{folder / 'x.db'}", log_drain_seconds=5.0)
    client.post("/v1/decisions", json=applicant)
    assert _wait_for(lambda: client.get("/readyz").status_code == 503)
    folder.mkdir()
    assert _wait_for(lambda: client.get("/readyz").status_code == 200)
    assert _metric(client, "decision_log_written_total") == 1


def test_a_row_the_database_refuses_is_dropped_counted_and_the_rest_written(make_client, tmp_path, applicant, caplog):
    caplog.set_level(logging.ERROR, logger="decision_service.decision_log")
    client = make_client()
    first = client.post("/v1/decisions", json=applicant).json()
    log = client.app.state.service.log
    assert _wait_for(lambda: _metric(client, "decision_log_written_total") == 1)
    entry = (time.time(), applicant, first, b"{}")  # the same decision id again: the primary key refuses it
    log.append(*entry)
    second = client.post("/v1/decisions", json=applicant).json()
    assert _wait_for(lambda: _metric(client, "decision_log_written_total") == 2)
    assert _metric(client, "decision_log_dropped_total") == 1
    assert any(first["decision_id"] in r.getMessage() for r in caplog.records)
    client.__exit__(None, None, None)
    assert {r["decision_id"] for r in _rows(tmp_path)} == {first["decision_id"], second["decision_id"]}


def test_decision_ids_are_unique_whatever_seeds_the_random_module(client, applicant):
    import random

    ids = set()
    for _ in range(3):
        random.seed(7)
        ids.add(client.post("/v1/decisions", json=applicant).json()["decision_id"])
    assert len(ids) == 3
