"""Idempotency: a retried submission answers the same application, the same key with another body is a
422; event keys; a disbursement is never paid twice; N submissions, each sent by 10 concurrent identical
requests, leave exactly N applications (`WORKFLOW_PROOF_SUBMISSIONS`, 200 by default)."""

from __future__ import annotations

import asyncio
import os
import uuid

import httpx2
from conftest import make_settings
from drive import applicant, decided, disbursed, ok, send, submit
from sqlalchemy import func, select

from app.db import Application, Disbursement, HistoryEntry, OutboxEvent
from app.main import create_app

SUBMISSIONS = int(os.environ.get("WORKFLOW_PROOF_SUBMISSIONS", "200"))
RETRIES = 10


def _count(db, query) -> int:
    with db.read() as session:
        return session.scalar(query)


def test_a_retry_answers_the_same_application(client, db):
    body = applicant("approve")
    first = submit(client, body, key="order-1")
    again = submit(client, body, key="order-1")
    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _count(db, select(func.count()).select_from(Application)) == 1


def test_the_same_key_with_another_body_is_a_422(client, db):
    body = applicant("approve")
    ok(submit(client, body, key="order-2"))
    other = dict(body)
    field, value = next((k, v) for k, v in body.items() if isinstance(v, bool)) if any(
        isinstance(v, bool) for v in body.values()) else (None, None)
    if field is not None:
        other[field] = not value
    else:
        other = {**body, next(iter(body)): None}
    refused = submit(client, other, key="order-2")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert _count(db, select(func.count()).select_from(Application)) == 1


def test_the_key_is_required(client):
    refused = client.post("/v1/applications", json=applicant("approve"))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert client.post("/v1/applications", json=applicant("approve"),
                       headers={"Idempotency-Key": "has space"}).status_code == 422


def test_an_event_key_makes_a_retry_answer_the_first_result(client, db):
    app = decided(client, "approve")
    first = send(client, app["id"], "offer_accepted", key="accept-1")
    again = send(client, app["id"], "offer_accepted", key="accept-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["state"] == "contract_signing"
    assert _count(db, select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.event == "offer_accepted")) == 1
    other = send(client, app["id"], "contract_signed", key="accept-1")
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_a_disbursement_is_never_paid_twice(client, db):
    app = disbursed(client)
    payout = app["loan"]["disbursement_id"]
    again = send(client, app["id"], "disbursed", disbursement_id=payout, date="2026-01-10")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["loan"] == app["loan"]
    another = send(client, app["id"], "disbursed", disbursement_id="a-second-payout")
    assert another.status_code == 409 and another.json()["state"] == "repaying"
    second = disbursed(client)
    stolen = send(client, second["id"], "disbursed", disbursement_id=payout)
    assert stolen.status_code in (409, 422)
    assert _count(db, select(func.count()).select_from(Disbursement)) == 2
    assert _count(db, select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "loan.disbursed")) == 2


def test_concurrent_retries_make_exactly_one_application_each(db):
    """N submissions, each sent by RETRIES concurrent identical requests: exactly N applications.

    The requests go through the ASGI app on one event loop (no test-client thread per request), the
    database work of each in the app's worker threads, as under uvicorn."""
    body = applicant("approve")
    keys = [f"proof-{uuid.uuid4().hex}" for _ in range(SUBMISSIONS)]
    application = create_app(make_settings(db.url))

    async def main() -> dict[str, list]:
        answers: dict[str, list] = {k: [] for k in keys}
        transport = httpx2.ASGITransport(app=application)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as http:
            async def one(key: str) -> None:
                response = await http.post("/v1/applications", json=body, headers={"Idempotency-Key": key})
                answers[key].append((response.status_code, response.json().get("id")))

            async def together(key: str) -> None:
                await asyncio.gather(*(one(key) for _ in range(RETRIES)))

            for start in range(0, len(keys), 10):  # 10 keys x RETRIES requests in flight at a time
                await asyncio.gather(*(together(k) for k in keys[start:start + 10]))
        return answers

    try:
        answers = asyncio.run(main())
    finally:
        application.state.service.db.dispose()
    for key, got in answers.items():
        assert len(got) == RETRIES
        assert sorted(status for status, _ in got) == [200] * (RETRIES - 1) + [201], (key, got)
        assert len({app_id for _, app_id in got}) == 1, (key, got)
    assert _count(db, select(func.count()).select_from(Application)) == SUBMISSIONS
    assert _count(db, select(func.count(func.distinct(Application.idempotency_key)))) == SUBMISSIONS
