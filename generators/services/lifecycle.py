"""The loan lifecycle of a product as data: the states of its workflow service, which spec stage each one
is (with its SLA and who acts), the events each state accepts and where they lead.

The lifecycle itself is the same for every product (application -> checks -> decision -> manual review
when referred -> offer -> contract -> disbursement -> repaying <-> overdue -> closed or written off); the
product's `workflow.stages` say which checks and review steps it has, their names, SLAs and roles:

| spec stage | becomes |
| --- | --- |
| the first stage | intake: where an application is submitted (its SLA is shown, nothing waits there) |
| id `decision`, else the first later `system` stage that is not manual | the decision: the compiled decision function runs when an application reaches it |
| stages between the intake and the decision | checks (KYC, anti-fraud...): each waits for `<stage>_passed` or `<stage>_failed` |
| id `contract_signing` | the offer (`offered`) and the signing (`contract_signing`) |
| id `disbursement` | `disbursement`: waits for `disbursed`, which carries its own idempotency key |
| the first stage with role `post_loan` | `repaying` |
| the first stage with role `collections` | `overdue` |
| other stages after the decision and before the signing | manual-review steps, in spec order (`review_approved` moves on) |

A state the spec has no stage for still exists (a referral with no review stage goes to
`manual_review`), without an SLA. Stages after the signing that are none of the above are listed as not
served. Everything here is data for `repr`; nothing of it becomes code.
"""

from __future__ import annotations

from generators.services.product_data import number
from product_specs import CheckedSpec
from product_specs.sections import Role

__all__ = ["lifecycle_plan", "LifecycleError", "FIXED_STATES", "FIXED_EVENTS", "DECIDE"]

DECIDE = "@decision"
"""Transition target meaning: run the compiled decision now, then go where its outcome leads."""

FIXED_STATES = ("offered", "contract_signing", "disbursement", "repaying", "overdue", "declined", "withdrawn",
                "closed", "written_off")
"""States every product has (check and review states are named after their spec stages)."""

TERMINAL = ("declined", "withdrawn", "closed", "written_off")

FIXED_EVENTS = ("review_approved", "review_declined", "offer_accepted", "offer_declined", "contract_signed",
                "disbursed", "repayment_received", "payment_missed", "monitoring_update", "application_withdrawn")
"""Events every product has (each check stage adds `<stage>_passed` and `<stage>_failed`)."""

DEFAULT_REVIEW = "manual_review"
WITHDRAW = "application_withdrawn"
LOAN_EVENTS = ("repayment_received", "payment_missed", "monitoring_update")


class LifecycleError(ValueError):
    """The workflow cannot be served as a lifecycle (a stage id collides with a state of the service)."""


def _stage(s) -> dict | None:
    if s is None:
        return None
    return {"id": s.id, "name": {"zh": s.name.zh, "en": s.name.en}, "role": s.role.value,
            "sla_hours": number(s.sla_hours), "manual": s.manual}


def _split(stages: list) -> dict:
    """Which spec stage plays which part (see the module's table)."""
    intake, rest = (stages[0], stages[1:]) if stages else (None, [])
    at = next((i for i, s in enumerate(rest) if s.id == "decision"), None)
    if at is None:
        at = next((i for i, s in enumerate(rest) if s.role is Role.SYSTEM and not s.manual), None)
    checks, decision, after = (rest[:at], rest[at], rest[at + 1:]) if at is not None else ([], None, rest)
    signing = next((s for s in after if s.id == "contract_signing"), None)
    disbursement = next((s for s in after if s.id == "disbursement"), None)
    servicing = next((s for s in after if s.role is Role.POST_LOAN), None)
    collections = next((s for s in after if s.role is Role.COLLECTIONS), None)
    special = [s for s in (signing, disbursement, servicing, collections) if s is not None]
    first_special = min((after.index(s) for s in special), default=len(after))
    end = after.index(signing) if signing is not None else first_special
    reviews = [s for s in after[:end] if s not in special]
    served = set(map(id, [intake, decision, *checks, *reviews, *special]))
    return {"intake": intake, "decision": decision, "checks": checks, "reviews": reviews, "signing": signing,
            "disbursement": disbursement, "servicing": servicing, "collections": collections,
            "not_served": [s for s in stages if id(s) not in served]}


def lifecycle_plan(checked: CheckedSpec) -> dict:
    """The lifecycle of `checked`'s product: states, transitions, stages (plain data)."""
    workflow = checked.spec.workflow
    parts = _split(list(workflow.stages) if workflow is not None else [])
    checks = [s.id for s in parts["checks"]]
    reviews = [s.id for s in parts["reviews"]] or [DEFAULT_REVIEW]
    for name in checks + reviews:
        if name in FIXED_STATES:
            raise LifecycleError(f"workflow stage {name!r} has the name of a state every workflow service has "
                                 f"({', '.join(FIXED_STATES)}): rename the stage")
    if len(set(checks + reviews)) != len(checks) + len(reviews):
        raise LifecycleError(f"workflow stage {DEFAULT_REVIEW!r} is a check here, and the service needs that name "
                             "for its review queue: rename the stage")

    states: dict[str, dict] = {}
    for s in parts["checks"]:
        states[s.id] = {"kind": "check", "stage": _stage(s)}
    review_stages = parts["reviews"] or [None]
    for name, s in zip(reviews, review_stages, strict=True):
        states[name] = {"kind": "review", "stage": _stage(s)}
    states["offered"] = {"kind": "offer", "stage": _stage(parts["signing"])}
    states["contract_signing"] = {"kind": "signing", "stage": _stage(parts["signing"])}
    states["disbursement"] = {"kind": "disbursement", "stage": _stage(parts["disbursement"])}
    states["repaying"] = {"kind": "loan", "stage": _stage(parts["servicing"])}
    states["overdue"] = {"kind": "loan", "stage": _stage(parts["collections"])}
    for name in TERMINAL:
        states[name] = {"kind": "end", "stage": None}

    transitions: dict[str, dict[str, list[str]]] = {}
    after_checks = [*checks[1:], DECIDE]
    for name, following in zip(checks, after_checks, strict=False):  # no checks: none
        transitions[name] = {f"{name}_passed": [following], f"{name}_failed": ["declined"], WITHDRAW: ["withdrawn"]}
    for name, following in zip(reviews, [*reviews[1:], "offered"], strict=True):
        transitions[name] = {"review_approved": [following], "review_declined": ["declined"], WITHDRAW: ["withdrawn"]}
    transitions["offered"] = {"offer_accepted": ["contract_signing"], "offer_declined": ["withdrawn"]}
    transitions["contract_signing"] = {"contract_signed": ["disbursement"], WITHDRAW: ["withdrawn"]}
    transitions["disbursement"] = {"disbursed": ["repaying"]}
    transitions["repaying"] = {"repayment_received": ["repaying", "closed"],
                               "payment_missed": ["overdue", "written_off"], "monitoring_update": ["repaying"]}
    transitions["overdue"] = {"repayment_received": ["overdue", "repaying", "closed"],
                              "payment_missed": ["overdue", "written_off"], "monitoring_update": ["overdue"]}
    for name in TERMINAL:
        transitions[name] = {}

    events = [e for c in checks for e in (f"{c}_passed", f"{c}_failed")] + list(FIXED_EVENTS)
    return {
        "intake": _stage(parts["intake"]),
        "decision": _stage(parts["decision"]),
        "initial": checks[0] if checks else DECIDE,
        "decision_targets": {"approve": "offered", "refer": reviews[0], "decline": "declined"},
        "checks": checks,
        "reviews": reviews,
        "states": states,
        "transitions": transitions,
        "events": events,
        "terminal": list(TERMINAL),
        "not_served": [_stage(s) for s in parts["not_served"]],
    }
