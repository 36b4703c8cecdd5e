"""Every path of the lifecycle over HTTP: approved, referred, declined, failed checks, withdrawn; illegal
transitions answered 409 naming the state and the allowed events; unknown applications 404."""

from __future__ import annotations

import pytest
from drive import CHECKS, REVIEWS, TRANSITIONS, applicant, decided, disbursed, ok, send, submit

from app.lifecycle import DECIDE, LIFECYCLE, PRODUCT

STATES = LIFECYCLE["states"]


def _events(app: dict) -> list[str]:
    return [h["event"] for h in app["history"]]


def _needs(outcome: str) -> dict:
    found = applicant(outcome)
    if found is None:
        pytest.skip(f"the product's examples have no applicant that is {outcome}d")
    return found


def test_happy_path(client):
    body = _needs("approve")
    app = ok(submit(client, body))
    first = LIFECYCLE["initial"] if LIFECYCLE["initial"] != DECIDE else "offered"
    assert app["state"] == first
    assert app["stage"] == STATES[first]["stage"]
    assert app["allowed_events"] == list(TRANSITIONS[first])
    assert (app["due_at"] is not None) == bool((STATES[first]["stage"] or {}).get("sla_hours"))
    for check in CHECKS:
        app = ok(send(client, app["id"], f"{check}_passed", actor="checker"))
    assert app["state"] == "offered"
    assert app["decision"]["decision"] == "approve"
    assert app["offer"]["limit"] == app["decision"]["limit"] and app["offer"]["apr"] == app["decision"]["apr"]
    app = ok(send(client, app["id"], "offer_accepted", term_months=PRODUCT["terms_months"][0]))
    assert app["state"] == "contract_signing"
    app = ok(send(client, app["id"], "contract_signed"))
    assert app["state"] == "disbursement"
    app = ok(send(client, app["id"], "disbursed", disbursement_id="payout-1", date="2026-01-10"))
    assert app["state"] == "repaying"
    loan = app["loan"]
    assert loan["principal"] == app["offer"]["limit"]
    assert round(sum(r["principal"] for r in loan["schedule"]), 2) == loan["principal"]
    assert loan["term_months"] == PRODUCT["terms_months"][0]
    app = ok(send(client, app["id"], "repayment_received", amount=loan["outstanding"], date="2026-02-01"))
    assert app["state"] == "closed"
    assert app["allowed_events"] == []
    assert _events(app) == ["submitted", *[f"{c}_passed" for c in CHECKS], "decided", "offer_accepted",
                            "contract_signed", "disbursed", "repayment_received"]
    assert app["history"][-1]["to_state"] == "closed"
    assert [h["seq"] for h in app["history"]] == list(range(1, len(app["history"]) + 1))
    assert app["version"] == 1 + len(CHECKS) + 4
    got = ok(client.get(f"/v1/applications/{app['id']}"))
    assert got == app


def test_referral_path_goes_through_every_review_step_with_its_sla(client):
    body = _needs("refer")
    app = decided(client, "refer")
    assert app["state"] == REVIEWS[0]
    assert app["decision"]["decision"] == "refer"
    queue = ok(client.get("/v1/queues/manual-review"))["items"]
    assert [item["id"] for item in queue] == [app["id"]]
    assert queue[0]["stage"] == STATES[REVIEWS[0]]["stage"] and queue[0]["breached"] is False
    assert queue[0]["decision"] == "refer" and queue[0]["reasons"]
    for review in REVIEWS:
        assert app["state"] == review
        app = ok(send(client, app["id"], "review_approved", actor="reviewer-7", note="checked"))
    assert app["state"] == "offered"
    assert ok(client.get("/v1/queues/manual-review"))["items"] == []
    assert body is not None


def test_review_declined(client):
    _needs("refer")
    app = decided(client, "refer")
    app = ok(send(client, app["id"], "review_declined", actor="reviewer-7"))
    assert app["state"] == "declined" and app["allowed_events"] == []


def test_decline_path(client):
    _needs("decline")
    app = decided(client, "decline")
    assert app["state"] == "declined"
    assert app["decision"]["decision"] == "decline" and app["decision"]["reasons"]
    assert app["offer"] is None
    refused = send(client, app["id"], "offer_accepted")
    assert refused.status_code == 409
    assert refused.json()["detail"] == ("Event 'offer_accepted' is not allowed in state 'declined'; allowed events: "
                                        "none (the application is closed for events)")


@pytest.mark.skipif(not CHECKS, reason="the product's workflow has no check stage before the decision")
def test_a_failed_check_declines(client):
    app = ok(submit(client, applicant("approve")))
    app = ok(send(client, app["id"], f"{CHECKS[0]}_failed", note="identity mismatch"))
    assert app["state"] == "declined" and app["decision"] is None


def test_withdrawn_and_offer_declined(client):
    app = decided(client, "approve")
    ok(send(client, app["id"], "offer_declined"))
    other = ok(submit(client, applicant("approve")))
    other = ok(send(client, other["id"], "application_withdrawn")) if "application_withdrawn" in \
        other["allowed_events"] else ok(send(client, other["id"], "offer_declined"))
    assert other["state"] == "withdrawn"
    assert ok(client.get(f"/v1/applications/{app['id']}"))["state"] == "withdrawn"


def test_every_illegal_event_is_a_409_naming_the_state_and_the_allowed_events(client):
    app = disbursed(client)
    seen = ok(client.get(f"/v1/applications/{app['id']}"))
    everything = LIFECYCLE["events"]
    for event in everything:
        if event in TRANSITIONS["repaying"]:
            continue
        refused = send(client, app["id"], event, disbursement_id="another-payout") if event == "disbursed" else \
            send(client, app["id"], event)
        if refused.status_code == 422:  # the body this event needs is missing: refused before the state
            continue
        assert refused.status_code == 409, (event, refused.text)
        allowed = list(TRANSITIONS["repaying"])
        assert refused.json() == {"detail": f"Event {event!r} is not allowed in state 'repaying'; allowed events: "
                                            + ", ".join(allowed), "state": "repaying", "allowed_events": allowed}
    assert ok(client.get(f"/v1/applications/{app['id']}")) == seen  # nothing changed


def test_illegal_event_before_the_decision(client):
    app = ok(submit(client, applicant("approve")))
    refused = send(client, app["id"], "contract_signed")
    assert refused.status_code == 409
    body = refused.json()
    assert body["state"] == app["state"] and body["allowed_events"] == app["allowed_events"]
    assert f"state {app['state']!r}" in body["detail"] and "contract_signed" in body["detail"]


def test_unknown_application_is_404(client):
    assert client.get("/v1/applications/nope").json() == {"detail": "Application not found"}
    refused = send(client, "nope", "contract_signed")
    assert refused.status_code == 404 and refused.json() == {"detail": "Application not found"}


def test_bad_bodies_are_422_naming_the_field(client):
    body = applicant("approve")
    field = next(iter(body))
    bad = dict(body)
    del bad[field]
    refused = submit(client, bad)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", field]
    refused = submit(client, {**body, "not_a_field": 1})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "not_a_field"]
    app = decided(client, "approve")
    refused = send(client, app["id"], "no_such_event")
    assert refused.status_code == 422
    refused = send(client, app["id"], "offer_accepted", amount=app["offer"]["limit"] + 1)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "amount"]
    refused = send(client, app["id"], "offer_accepted", amount=1.005)
    assert refused.status_code == 422
    refused = send(client, app["id"], "offer_accepted", term_months=10_000)
    assert refused.status_code == 422
    assert ok(client.get(f"/v1/applications/{app['id']}"))["state"] == "offered"


def test_json_only_and_bounded(make_client):
    client = make_client(max_body_bytes=2048)
    refused = client.post("/v1/applications", content=b"x" * 4096, headers={
        "Idempotency-Key": "k", "Content-Type": "application/json"})
    assert refused.status_code == 413
    refused = client.post("/v1/applications", content=b"{}", headers={"Idempotency-Key": "k",
                                                                       "Content-Type": "text/plain"})
    assert refused.status_code == 415
