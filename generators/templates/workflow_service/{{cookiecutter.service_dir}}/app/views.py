"""What the API shows: an application with its history, schedule and scheduled actions; the manual-review
queue; the collection actions due on a day; the portfolio by state and DPD bucket. Plain dicts, JSON-ready."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import early_warning
from app.db import Application, HistoryEntry, ScheduledAction, WarningFired
from app.lifecycle import LIFECYCLE, PII_FIELDS, POST_LOAN
from app.schedule import outstanding

__all__ = ["application_view", "review_queue", "due_actions", "portfolio", "stamp"]

STATES = LIFECYCLE["states"]
TRANSITIONS = LIFECYCLE["transitions"]
_NOTES = {a["index"]: a["note"] for a in POST_LOAN["actions"]}
_RULES = {w["code"]: w for w in early_warning.WARNINGS}
REVIEW_STATES = tuple(name for name, s in STATES.items() if s["kind"] == "review")


def stamp(value: dt.datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with `Z`."""
    return None if value is None else value.isoformat(timespec="microseconds") + "Z"


def _money(cents: int) -> float:
    return cents / 100


def _loan(app: Application) -> dict | None:
    loan = app.loan
    if loan is None:
        return None
    rows = [{"number": r["number"], "due_date": r["due_date"], "principal": _money(r["principal"]),
             "interest": _money(r["interest"]), "amount": _money(r["principal"] + r["interest"]),
             "paid": _money(r["paid"])} for r in loan["schedule"]]
    return {"principal": _money(loan["principal"]), "outstanding_principal": _money(app.outstanding_cents),
            "outstanding": _money(outstanding(loan["schedule"])), "apr": loan["apr"],
            "term_months": loan["term_months"], "repayment": loan["repayment"],
            "disbursement_id": loan["disbursement_id"], "disbursed_on": loan["disbursed_on"],
            "days_past_due": app.days_past_due, "bucket": app.bucket, "schedule": rows}


def _action(a: ScheduledAction) -> dict:
    return {"application_id": a.application_id, "episode": a.episode, "bucket": a.bucket, "day": a.day,
            "action": a.action, "note": _NOTES.get(a.action_index), "due_date": a.due_date.isoformat()}


def application_view(session: Session, app: Application) -> dict:
    """The whole application as `GET /v1/applications/{id}` answers it."""
    history = session.scalars(select(HistoryEntry).where(HistoryEntry.application_id == app.id)
                              .order_by(HistoryEntry.seq)).all()
    actions = session.scalars(select(ScheduledAction).where(ScheduledAction.application_id == app.id)
                              .order_by(ScheduledAction.episode, ScheduledAction.due_date,
                                        ScheduledAction.action_index)).all()
    fired = session.scalars(select(WarningFired).where(WarningFired.application_id == app.id)
                            .order_by(WarningFired.id)).all()
    return {
        "id": app.id,
        "state": app.state,
        "stage": STATES[app.state]["stage"],
        "version": app.version,
        "allowed_events": list(TRANSITIONS[app.state]),
        "created_at": stamp(app.created_at),
        "updated_at": stamp(app.updated_at),
        "stage_entered_at": stamp(app.stage_entered_at),
        "due_at": stamp(app.due_at),
        "applicant": {k: ("***" if k in PII_FIELDS and v is not None else v) for k, v in app.applicant.items()},
        "decision": app.decision,
        "offer": app.offer,
        "loan": _loan(app),
        "active_warnings": list(app.active_warnings),
        "warnings": [{"code": w.code, "level": w.level, "name": _RULES[w.code]["name"],
                      "action": _RULES[w.code]["action"], "at": stamp(w.at)} for w in fired],
        "scheduled_actions": [_action(a) for a in actions],
        "history": [{"seq": h.seq, "event": h.event, "actor": h.actor, "from_state": h.from_state,
                     "to_state": h.to_state, "stage": h.stage, "at": stamp(h.at), "data": h.data} for h in history],
    }


def review_queue(session: Session, now: dt.datetime, limit: int, offset: int, state: str | None) -> list[dict]:
    """Applications waiting for a person, the most urgent SLA first."""
    states = (state,) if state else REVIEW_STATES
    rows = session.scalars(select(Application).where(Application.state.in_(states))
                           .order_by(Application.due_at.is_(None), Application.due_at, Application.stage_entered_at,
                                     Application.id).limit(limit).offset(offset)).all()
    out = []
    for app in rows:
        d = app.decision or {}
        out.append({"id": app.id, "state": app.state, "stage": STATES[app.state]["stage"],
                    "entered_at": stamp(app.stage_entered_at), "due_at": stamp(app.due_at),
                    "breached": app.due_at is not None and app.due_at < now, "decision": d.get("decision"),
                    "reasons": [r["code"] for r in d.get("reasons", [])], "limit": d.get("limit"),
                    "apr": d.get("apr")})
    return out


def due_actions(session: Session, day: dt.date, limit: int, offset: int) -> list[dict]:
    """Collection actions scheduled on `day` for loans still overdue in the episode they were scheduled for."""
    rows = session.scalars(select(ScheduledAction).join(Application, Application.id == ScheduledAction.application_id)
                           .where(ScheduledAction.due_date == day, Application.state == "overdue",
                                  Application.episode == ScheduledAction.episode)
                           .order_by(ScheduledAction.application_id, ScheduledAction.action_index)
                           .limit(limit).offset(offset)).all()
    return [_action(a) for a in rows]


def portfolio(session: Session) -> dict:
    """Counts and outstanding principal by state and by DPD bucket."""
    by_state = {name: {"count": 0, "outstanding_principal": 0.0} for name in STATES}
    for state, count, cents in session.execute(select(Application.state, func.count(),
                                                      func.coalesce(func.sum(Application.outstanding_cents), 0))
                                               .group_by(Application.state)):
        if state in by_state:
            by_state[state] = {"count": count, "outstanding_principal": _money(int(cents))}
    by_bucket = {b["id"]: {"count": 0, "outstanding_principal": 0.0} for b in POST_LOAN["buckets"]}
    for bucket, count, cents in session.execute(select(Application.bucket, func.count(),
                                                       func.coalesce(func.sum(Application.outstanding_cents), 0))
                                                .where(Application.state == "overdue").group_by(Application.bucket)):
        if bucket in by_bucket:
            by_bucket[bucket] = {"count": count, "outstanding_principal": _money(int(cents))}
    return {"states": by_state, "buckets": by_bucket}
