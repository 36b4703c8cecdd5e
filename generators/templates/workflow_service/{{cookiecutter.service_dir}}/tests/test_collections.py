"""Post-loan: missed payments move a loan through the DPD buckets and schedule exactly the spec's collection
actions; a repayment cures it; the write-off threshold writes it off; the due list and the portfolio."""

from __future__ import annotations

import datetime as dt

from drive import ACTIONS, BUCKETS, WRITE_OFF_DAYS, disbursed, due_before, first_due, ok, send


def _key(a: dict) -> tuple:
    return (a["bucket"], a["day"], a["action"])


def test_missed_payments_move_through_the_buckets_and_schedule_the_spec_actions(client):
    app = disbursed(client)
    start = first_due(app["loan"])
    reachable = [b for b in BUCKETS if b["min_days"] < WRITE_OFF_DAYS]
    for bucket in reachable:
        app = ok(send(client, app["id"], "payment_missed", as_of=(start + dt.timedelta(days=bucket["min_days"])).isoformat()))
        assert app["state"] == "overdue"
        assert (app["loan"]["bucket"], app["loan"]["days_past_due"]) == (bucket["id"], bucket["min_days"])
        reached = {b["id"] for b in BUCKETS if b["min_days"] <= bucket["min_days"]}
        want = sorted(_key(a) for a in ACTIONS if a["bucket"] in reached)
        assert sorted(_key(a) for a in app["scheduled_actions"]) == want
    for action in app["scheduled_actions"]:
        assert action["due_date"] == (start + dt.timedelta(days=action["day"])).isoformat()
        assert action["episode"] == 1
    book = ok(client.get("/v1/portfolio"))
    assert book["states"]["overdue"]["count"] == 1
    assert book["buckets"][app["loan"]["bucket"]]["count"] == 1
    assert book["buckets"][app["loan"]["bucket"]]["outstanding_principal"] == app["loan"]["outstanding_principal"]
    on = start + dt.timedelta(days=reachable[-1]["min_days"])
    cured = ok(send(client, app["id"], "repayment_received", amount=due_before(app["loan"], on), date=on.isoformat()))
    assert cured["state"] == "repaying"
    assert (cured["loan"]["bucket"], cured["loan"]["days_past_due"]) == (None, 0)
    assert cured["scheduled_actions"] == app["scheduled_actions"]  # append-only: kept, no longer due
    assert ok(client.get("/v1/portfolio"))["buckets"][app["loan"]["bucket"]]["count"] == 0
    first_action = app["scheduled_actions"][0]["due_date"] if app["scheduled_actions"] else on.isoformat()
    assert ok(client.get(f"/v1/collections/due?date={first_action}"))["items"] == []


def test_a_new_delinquency_schedules_the_actions_again(client):
    app = disbursed(client)
    start = first_due(app["loan"])
    on = start + dt.timedelta(days=1)
    app = ok(send(client, app["id"], "payment_missed", as_of=on.isoformat()))
    app = ok(send(client, app["id"], "repayment_received", amount=due_before(app["loan"], on), date=on.isoformat()))
    assert app["state"] == "repaying"
    second = dt.date.fromisoformat(app["loan"]["schedule"][1]["due_date"]) if len(app["loan"]["schedule"]) > 1 else None
    if second is None:
        return
    app = ok(send(client, app["id"], "payment_missed", as_of=(second + dt.timedelta(days=1)).isoformat()))
    assert app["state"] == "overdue" and app["loan"]["days_past_due"] == 1
    firsts = [a for a in ACTIONS if a["bucket"] == BUCKETS[0]["id"]]
    assert len([a for a in app["scheduled_actions"] if a["episode"] == 2]) == len(firsts)


def test_due_actions_are_listed_on_their_day(client):
    app = disbursed(client)
    start = first_due(app["loan"])
    app = ok(send(client, app["id"], "payment_missed", as_of=(start + dt.timedelta(days=BUCKETS[0]["min_days"])).isoformat()))
    for action in app["scheduled_actions"]:
        listed = ok(client.get(f"/v1/collections/due?date={action['due_date']}"))["items"]
        assert action in listed
    assert client.get("/v1/collections/due?date=not-a-date").status_code == 422


def test_written_off_at_the_threshold(client):
    app = disbursed(client)
    start = first_due(app["loan"])
    app = ok(send(client, app["id"], "payment_missed", as_of=(start + dt.timedelta(days=WRITE_OFF_DAYS)).isoformat()))
    assert app["state"] == "written_off" and app["allowed_events"] == []
    assert app["loan"]["days_past_due"] == WRITE_OFF_DAYS
    want = sorted(_key(a) for a in ACTIONS if any(b["id"] == a["bucket"] and b["min_days"] <= WRITE_OFF_DAYS
                                                  for b in BUCKETS))
    assert sorted(_key(a) for a in app["scheduled_actions"]) == want


def test_repayments_are_bounded_and_a_miss_needs_an_unpaid_instalment(client):
    app = disbursed(client)
    too_much = send(client, app["id"], "repayment_received", amount=app["loan"]["outstanding"] + 1, date="2026-02-01")
    assert too_much.status_code == 422 and too_much.json()["detail"][0]["loc"] == ["body", "amount"]
    early = send(client, app["id"], "payment_missed", as_of=first_due(app["loan"]).isoformat())
    assert early.status_code == 422 and early.json()["detail"][0]["loc"] == ["body", "as_of"]
    assert ok(client.get(f"/v1/applications/{app['id']}"))["state"] == "repaying"
