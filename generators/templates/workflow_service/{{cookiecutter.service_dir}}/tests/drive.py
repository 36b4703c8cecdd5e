"""Drive applications through the lifecycle of this product over HTTP, as a client would."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path

from app.lifecycle import LIFECYCLE, POST_LOAN, PRODUCT

DATA = json.loads((Path(__file__).parent / "product.json").read_text(encoding="utf-8"))
CHECKS = LIFECYCLE["checks"]
REVIEWS = LIFECYCLE["reviews"]
TRANSITIONS = LIFECYCLE["transitions"]
DISBURSED_ON = dt.date(2026, 1, 10)


def applicant(outcome: str = "approve") -> dict | None:
    """A fresh copy of an applicant the spec's examples give this outcome (None when none does)."""
    found = DATA["by_outcome"].get(outcome)
    return copy.deepcopy(found) if found is not None else None


def submit(client, body: dict, key: str | None = None):
    return client.post("/v1/applications", json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex})


def send(client, app_id: str, event: str, key: str | None = None, **data):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/v1/applications/{app_id}/events", json={"event": event, **data}, headers=headers)


def ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def decided(client, outcome: str = "approve") -> dict:
    """An application of `outcome` past its checks: in `offered`, the first review state, or `declined`."""
    app = ok(submit(client, applicant(outcome)))
    for check in CHECKS:
        app = ok(send(client, app["id"], f"{check}_passed"))
    return app


def disbursed(client, on: dt.date = DISBURSED_ON, term: int | None = None, method: str | None = None) -> dict:
    """An approved loan paid out on `on`: state `repaying` with its schedule."""
    app = decided(client, "approve")
    assert app["state"] == "offered", app["decision"]
    accepted = {"term_months": term or PRODUCT["terms_months"][-1], "repayment": method or PRODUCT["repayment"][0]}
    ok(send(client, app["id"], "offer_accepted", **accepted))
    ok(send(client, app["id"], "contract_signed"))
    return ok(send(client, app["id"], "disbursed", disbursement_id=f"pay-{app['id']}", date=on.isoformat()))


def due_before(loan: dict, day: dt.date) -> float:
    """What must be paid to be current on `day`: every instalment due before it, less what was paid."""
    return round(sum(r["amount"] - r["paid"] for r in loan["schedule"]
                     if dt.date.fromisoformat(r["due_date"]) < day), 2)


def first_due(loan: dict) -> dt.date:
    return dt.date.fromisoformat(loan["schedule"][0]["due_date"])


BUCKETS = POST_LOAN["buckets"]
ACTIONS = POST_LOAN["actions"]
WRITE_OFF_DAYS = POST_LOAN["write_off_days"]
