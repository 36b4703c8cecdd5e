"""The lifecycle at work: submissions and events, each one database transaction.

    workflow = Workflow(db, metrics)
    view, replayed = workflow.submit(key, digest, applicant)
    view, replayed = workflow.apply(application_id, event, key, digest)

A transition reads the application, checks the event against `LIFECYCLE["transitions"]` of its state,
changes it, appends its history (and scheduled actions, warnings, a disbursement) and queues its outbox
events, all in one transaction; the application's version column makes a racing transition fail instead
of overwriting (409). A crash at any point leaves the transaction either committed whole or not at all.

Idempotency: a submission's `Idempotency-Key` is unique; a retry with the same key and body answers the same
application, the same key with another body is refused (422). An event may carry a key too (unique per
application). A `disbursed` event carries `disbursement_id`, unique across the table, and an application
has at most one disbursement: a repeated payout is answered from the first, never made twice.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import decision as compiled
from app import early_warning, schedule
from app.core.metrics import Metrics
from app.db import (
    Application,
    Database,
    Disbursement,
    HistoryEntry,
    ScheduledAction,
    WarningFired,
    utcnow,
)
from app.lifecycle import DECIDE, LIFECYCLE, POST_LOAN, PRODUCT
from app.outbox import add as announce
from app.views import application_view

__all__ = ["Workflow", "WorkflowError", "NotFound", "NotAllowed", "Invalid", "Concurrent", "bucket_of"]

STATES = LIFECYCLE["states"]
TRANSITIONS = LIFECYCLE["transitions"]
BUCKETS = POST_LOAN["buckets"]
ACTIONS = POST_LOAN["actions"]


class WorkflowError(Exception):
    """A request the lifecycle refuses: its HTTP status, message and extra fields of the answer."""

    status = 400

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(WorkflowError):
    status = 404

    def __init__(self):
        super().__init__("Application not found")


class NotAllowed(WorkflowError):
    status = 409

    def __init__(self, event: str, state: str):
        allowed = list(TRANSITIONS[state])
        listed = ", ".join(allowed) if allowed else "none (the application is closed for events)"
        super().__init__(f"Event {event!r} is not allowed in state {state!r}; allowed events: {listed}",
                         state=state, allowed_events=allowed)


class Concurrent(WorkflowError):
    status = 409

    def __init__(self, state: str):
        super().__init__(f"The application was changed by another request at the same time; it is now in state "
                         f"{state!r}: read it again before sending an event", state=state,
                         allowed_events=list(TRANSITIONS[state]))


class Invalid(WorkflowError):
    """A 422 naming the field, in FastAPI's error shape."""

    status = 422

    def __init__(self, loc: list, message: str):
        super().__init__(message)
        self.loc = loc


def bucket_of(days: int) -> dict | None:
    """The DPD bucket of `days` past due (None when current)."""
    for b in BUCKETS:
        if b["min_days"] <= days and (b["max_days"] is None or days <= b["max_days"]):
            return b
    return None


def _iso(value: dt.date) -> str:
    return value.isoformat()


class Workflow:
    """Submissions, events and the transitions they cause."""

    def __init__(self, db: Database, metrics: Metrics):
        self.db = db
        self.metrics = metrics

    # --- reading --------------------------------------------------------------------------------------
    def view(self, application_id: str) -> dict:
        with self.db.read() as session:
            app = session.get(Application, application_id)
            if app is None:
                raise NotFound()
            return application_view(session, app)

    # --- submitting -----------------------------------------------------------------------------------
    def submit(self, key: str, digest: str, applicant: dict) -> tuple[dict, bool]:
        """Create the application (or answer the one `key` made); return its view and whether it is a replay."""
        replay = self._replay_submission(key, digest)
        if replay is not None:
            return replay, True
        try:
            view = self.db.write(lambda session: self._create(session, key, digest, applicant))
        except IntegrityError:  # the same key, committed by a concurrent request since we looked
            replay = self._replay_submission(key, digest)
            if replay is None:
                raise
            return replay, True
        self.metrics.submissions.inc()
        return view, False

    def _replay_submission(self, key: str, digest: str) -> dict | None:
        with self.db.read() as session:
            app = session.scalar(select(Application).where(Application.idempotency_key == key))
            if app is None:
                return None
            if app.request_hash != digest:
                raise Invalid(["header", "Idempotency-Key"], "This Idempotency-Key was already used with a "
                              "different request body: use a new key for a new application")
            self.metrics.replays.inc()
            return application_view(session, app)

    def _create(self, session: Session, key: str, digest: str, applicant: dict) -> dict:
        now = utcnow()
        app = Application(id=uuid.uuid4().hex, idempotency_key=key, request_hash=digest, state="submitted",
                          applicant=applicant, active_warnings=[], created_at=now, updated_at=now,
                          stage_entered_at=now, outstanding_cents=0, days_past_due=0, episode=0)
        session.add(app)
        step = _Step(session, app, now, None, None, None)
        step.seq = 0
        intake = LIFECYCLE["intake"]
        decided = step.decide() if LIFECYCLE["initial"] == DECIDE else step.set_state(LIFECYCLE["initial"])
        step.record("submitted", None, app.state, intake["id"] if intake else None,
                    {"pre_screen": "passed: every field within the data dictionary"})
        if decided:
            step.record("decided", None, app.state, _decision_stage(), decided)
        session.flush()
        step.later("application.submitted", {})
        step.announce()
        return application_view(session, app)

    # --- events ---------------------------------------------------------------------------------------
    def apply(self, application_id: str, event: dict, key: str | None, digest: str) -> tuple[dict, bool]:
        """Apply one event; return the application's view and whether the answer is a replay."""
        try:
            return self.db.write(lambda session: self._apply(session, application_id, event, key, digest))
        except (StaleDataError, IntegrityError):
            with self.db.read() as session:
                app = session.get(Application, application_id)
                if app is None:
                    raise NotFound() from None
                if key is not None:
                    prior = self._prior(session, app.id, key, digest)
                    if prior is not None:
                        return application_view(session, app), True
                self.metrics.conflicts.inc()
                raise Concurrent(app.state) from None

    def _prior(self, session: Session, application_id: str, key: str, digest: str) -> HistoryEntry | None:
        prior = session.scalar(select(HistoryEntry).where(HistoryEntry.application_id == application_id,
                                                          HistoryEntry.idempotency_key == key))
        if prior is not None and prior.request_hash != digest:
            raise Invalid(["header", "Idempotency-Key"], "This Idempotency-Key was already used on this "
                          "application with a different event: use a new key for a new event")
        return prior

    def _apply(self, session: Session, application_id: str, event: dict, key: str | None, digest: str):
        app = session.get(Application, application_id)
        if app is None:
            raise NotFound()
        if key is not None and self._prior(session, app.id, key, digest) is not None:
            self.metrics.replays.inc()
            return application_view(session, app), True
        name = event["event"]
        if name == "disbursed":
            paid = session.scalar(select(Disbursement).where(
                Disbursement.disbursement_id == event["disbursement_id"]))
            if paid is not None:
                if paid.application_id != app.id:
                    raise Invalid(["body", "disbursement_id"], "This disbursement_id was already used for another "
                                  "application")
                self.metrics.replays.inc()
                return application_view(session, app), True  # the payout was made once; never again
        if name not in TRANSITIONS[app.state]:
            raise NotAllowed(name, app.state)
        now = utcnow()
        step = _Step(session, app, now, event.get("actor"), key, digest)
        step.seq = session.scalar(select(func.max(HistoryEntry.seq)).where(HistoryEntry.application_id == app.id))
        with session.no_autoflush:  # one UPDATE of the application per transition: one version step
            getattr(self, "_" + (name if name in _HANDLED else STATES[app.state]["kind"]))(step, event)
        app.updated_at = now
        session.flush()  # the version check: a racing transition makes this fail, and nothing is written
        step.announce()
        self.metrics.transitions.labels(name, app.state).inc()
        return application_view(session, app), False

    # --- one handler per event (the step events: by the kind of state they leave) --------------------
    def _step(self, step: _Step, event: dict) -> None:
        name = event["event"]
        step.transition(name, TRANSITIONS[step.app.state][name][0], _note(event))

    _check = _review = _signing = _step

    def _offer_declined(self, step: _Step, event: dict) -> None:
        step.transition("offer_declined", "withdrawn", _note(event))

    def _offer_accepted(self, step: _Step, event: dict) -> None:
        offer = dict(step.app.offer)
        limit = offer["limit"]
        amount = float(event["amount"]) if event.get("amount") is not None else limit
        if amount > limit:
            raise Invalid(["body", "amount"], f"The amount {amount} is more than the offered limit {limit}")
        if amount < PRODUCT["limit_min"]:
            raise Invalid(["body", "amount"], f"The amount {amount} is less than the product's smallest loan "
                          f"{PRODUCT['limit_min']}")
        accepted = {"amount": amount, "term_months": event.get("term_months") or PRODUCT["terms_months"][0],
                    "repayment": event.get("repayment") or PRODUCT["repayment"][0]}
        offer["accepted"] = accepted
        step.app.offer = offer
        step.transition("offer_accepted", "contract_signing", {**accepted, **_note(event)})

    def _disbursed(self, step: _Step, event: dict) -> None:
        app = step.app
        accepted = app.offer["accepted"]
        value_date = dt.date.fromisoformat(event["date"]) if event.get("date") else step.now.date()
        cents = round(accepted["amount"] * 100)
        rows = schedule.build(cents, app.offer["apr"], accepted["term_months"], accepted["repayment"], value_date)
        step.session.add(Disbursement(application_id=app.id, disbursement_id=event["disbursement_id"],
                                      amount_cents=cents, value_date=value_date, at=step.now))
        app.loan = {"principal": cents, "apr": app.offer["apr"], "term_months": accepted["term_months"],
                    "repayment": accepted["repayment"], "disbursement_id": event["disbursement_id"],
                    "disbursed_on": _iso(value_date), "schedule": rows, "episode_start": None}
        app.outstanding_cents = schedule.outstanding_principal(rows)
        step.transition("disbursed", "repaying", {"disbursement_id": event["disbursement_id"], "amount": cents / 100,
                                                  "value_date": _iso(value_date), **_note(event)})
        step.later("loan.disbursed", {"disbursement_id": event["disbursement_id"], "amount": cents / 100,
                                      "currency": PRODUCT["currency"], "value_date": _iso(value_date)})

    def _repayment_received(self, step: _Step, event: dict) -> None:
        app = step.app
        loan = dict(app.loan)
        cents = round(float(event["amount"]) * 100)
        try:
            rows = schedule.pay(loan["schedule"], cents)
        except ValueError as err:
            raise Invalid(["body", "amount"], str(err)) from None
        loan["schedule"] = rows
        app.loan = loan
        app.outstanding_cents = schedule.outstanding_principal(rows)
        on = dt.date.fromisoformat(event["date"])
        data = {"amount": cents / 100, "date": _iso(on), **_note(event)}
        step.later("loan.repayment_received", {"amount": cents / 100, "date": _iso(on)})
        if schedule.outstanding(rows) == 0:
            app.days_past_due, app.bucket = 0, None
            step.transition("repayment_received", "closed", data)
            step.later("loan.closed", {})
            return
        self._delinquency(step, "repayment_received", on, data)

    def _payment_missed(self, step: _Step, event: dict) -> None:
        on = dt.date.fromisoformat(event["as_of"])
        if schedule.oldest_unpaid(step.app.loan["schedule"], on) is None:
            raise Invalid(["body", "as_of"], f"No instalment is unpaid before {_iso(on)}")
        self._delinquency(step, "payment_missed", on, {"as_of": _iso(on), **_note(event)})

    def _delinquency(self, step: _Step, name: str, on: dt.date, data: dict) -> None:
        """Days past due as of `on`: current, a bucket (its collection actions scheduled), or written off."""
        app = step.app
        loan = dict(app.loan)
        oldest = schedule.oldest_unpaid(loan["schedule"], on)
        days = (on - oldest).days if oldest is not None else 0
        if days <= 0:
            if app.state == "overdue":
                step.later("loan.cured", {"episode": app.episode})
            app.days_past_due, app.bucket = 0, None
            loan["episode_start"] = None
            app.loan = loan
            return step.transition(name, "repaying", {**data, "days_past_due": 0})
        if app.state != "overdue":
            app.episode += 1
            loan["episode_start"] = _iso(oldest)
            app.loan = loan
        bucket = bucket_of(days)
        app.days_past_due, app.bucket = days, bucket["id"] if bucket else None
        self._schedule_actions(step, days, dt.date.fromisoformat(loan["episode_start"]))
        if days >= POST_LOAN["write_off_days"]:
            step.transition(name, "written_off", {**data, "days_past_due": days, "bucket": app.bucket})
            step.later("loan.written_off", {"days_past_due": days, "outstanding_principal": app.outstanding_cents / 100})
            return
        step.transition(name, "overdue", {**data, "days_past_due": days, "bucket": app.bucket})
        step.later("loan.overdue", {"days_past_due": days, "bucket": app.bucket, "episode": app.episode})

    def _schedule_actions(self, step: _Step, days: int, start: dt.date) -> None:
        """Every collection action of the buckets reached in this episode, once each."""
        app = step.app
        reached = {b["id"] for b in BUCKETS if b["min_days"] <= days}
        done = set(step.session.scalars(select(ScheduledAction.action_index).where(
            ScheduledAction.application_id == app.id, ScheduledAction.episode == app.episode)))
        for a in ACTIONS:
            if a["bucket"] in reached and a["index"] not in done:
                due = start + dt.timedelta(days=a["day"])
                step.session.add(ScheduledAction(application_id=app.id, episode=app.episode, action_index=a["index"],
                                                 bucket=a["bucket"], day=a["day"], action=a["action"], due_date=due,
                                                 created_at=step.now))
                step.later("collection.scheduled", {"episode": app.episode, "bucket": a["bucket"], "day": a["day"],
                                                    "action": a["action"], "due_date": _iso(due)})

    def _monitoring_update(self, step: _Step, event: dict) -> None:
        app = step.app
        values = event["values"]
        hits = early_warning.evaluate(app.applicant, values)
        new = [code for code in hits if code not in app.active_warnings]
        rules = {w["code"]: w for w in early_warning.WARNINGS}
        app.monitoring = values
        app.active_warnings = hits
        seq = step.transition("monitoring_update", app.state, {"values": values, "firing": hits, "new": new,
                                                               **({"as_of": event["as_of"]} if event.get("as_of") else {}),
                                                               **_note(event)}, stay=True)
        for code in new:
            step.session.add(WarningFired(application_id=app.id, code=code, level=rules[code]["level"], seq=seq,
                                          at=step.now))
            step.later("loan.early_warning", {"code": code, "level": rules[code]["level"]})


_HANDLED = {"offer_accepted", "offer_declined", "disbursed", "repayment_received", "payment_missed",
            "monitoring_update"}
"""Events with a handler of their own; the others are handled by the kind of the state they leave."""


def _stage_of(state: str) -> str | None:
    return (STATES[state]["stage"] or {}).get("id")


def _decision_stage() -> str | None:
    return LIFECYCLE["decision"]["id"] if LIFECYCLE["decision"] else None


def _note(event: dict) -> dict:
    return {"note": event["note"]} if event.get("note") else {}


class _Step:
    """The writes of one transition: history rows, state, stage timing, outbox events (queued until flushed)."""

    def __init__(self, session: Session, app: Application, now: dt.datetime, actor, key, digest):
        self.session, self.app, self.now = session, app, now
        self.actor, self.key, self.digest = actor, key, digest
        self.pending: list[tuple[str, dict]] = []
        self.seq = None

    def _next_seq(self) -> int:
        self.seq = (self.seq or 0) + 1
        return self.seq

    def record(self, event: str, from_state, to_state: str, stage, data: dict, keyed: bool = False) -> int:
        seq = self._next_seq()
        self.session.add(HistoryEntry(application_id=self.app.id, seq=seq, event=event, actor=self.actor,
                                      from_state=from_state, to_state=to_state, stage=stage, data=data, at=self.now,
                                      idempotency_key=self.key if keyed else None,
                                      request_hash=self.digest if keyed else None))
        return seq

    def transition(self, event: str, target: str, data: dict, stay: bool = False) -> int:
        """Record `event` and move to `target` (running the decision when the target says so)."""
        source = self.app.state
        stay = stay or target == source
        decided = self.decide() if target == DECIDE else None
        if not stay and not decided:
            self.set_state(target)
        seq = self.record(event, source, self.app.state, _stage_of(self.app.state), data, keyed=True)
        if decided:
            self.record("decided", source, self.app.state, _decision_stage(), decided)
        if not stay:
            self.later("application.state_changed", {"from": source, "to": self.app.state, "event": event})
        return seq

    def decide(self) -> dict:
        """Run the compiled decision on the application and enter the state its outcome leads to."""
        result = compiled.decide(self.app.applicant, False)
        summary = {k: result[k] for k in ("decision", "segment", "score", "band", "limit", "apr", "channel")}
        summary.update(reasons=result["reasons"], spec_hash=result["spec_hash"],
                       product_version=result["product_version"])
        self.app.decision = summary
        self.set_state(LIFECYCLE["decision_targets"][result["decision"]])
        self.later("application.decided", {"decision": result["decision"]})
        return {"decision": result["decision"], "reasons": [r["code"] for r in result["reasons"]],
                "limit": result["limit"], "apr": result["apr"]}

    def set_state(self, target: str) -> None:
        app = self.app
        app.state = target
        app.stage_entered_at = self.now
        sla = (STATES[target]["stage"] or {}).get("sla_hours")
        app.due_at = self.now + dt.timedelta(hours=sla) if sla else None
        if target == "offered" and app.offer is None:
            d = app.decision
            app.offer = {"limit": d["limit"], "apr": d["apr"], "currency": PRODUCT["currency"],
                         "terms_months": PRODUCT["terms_months"], "repayment": PRODUCT["repayment"],
                         "accepted": None}

    def later(self, topic: str, payload: dict) -> None:
        self.pending.append((topic, payload))

    def announce(self) -> None:
        for topic, payload in self.pending:
            announce(self.session, self.app.id, topic, {**payload, "state": self.app.state})
        self.pending = []
