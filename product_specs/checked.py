"""CheckedSpec: a spec whose every rule is parsed and typed. Only `check_spec()` makes one, so a
generator or a simulation can never be handed an unchecked spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Finding
from .rules import CheckedExpr, Symbol
from .rules.ast import COMPARISONS, Between, Binary, InList, Literal, Name, Node, walk
from .sections import AdmissionRule, EarlyWarning, FieldType, PriceAdjustment, ReviewTrigger, Segment
from .spec import ProductSpec

__all__ = ["CheckedSpec", "CheckedRule", "Reason", "RuleRef", "InputConstraint", "PdMapping", "SYSTEM_REASONS", "points_name",
           "CHANNEL_REFUSED", "PD_LOG_ODDS_BOUND"]

CHANNEL_REFUSED = "CH01"
"""The reason a channel that lists its segments gives an applicant of another segment."""

# Reasons the decision itself gives (not written by a product manager): code -> (zh, en)
SYSTEM_REASONS = {
    CHANNEL_REFUSED: ("该渠道不受理此客群", "This channel does not serve the applicant's segment"),
}


@dataclass(frozen=True)
class CheckedRule:
    """A spec item with a condition, and the typed condition."""

    item: AdmissionRule | ReviewTrigger | PriceAdjustment | Segment | EarlyWarning
    expr: CheckedExpr | None  # None for the catch-all segment


@dataclass(frozen=True)
class Reason:
    """A reason code a decision can give: which action it carries, where it comes from, and its texts.

    `source` is one of admission, channel, system, trigger, matrix, limit; `name_*` names the rule or
    mechanism, `text_*` is the adverse-action text an applicant is shown.
    """

    code: str
    action: str
    source: str
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str


PD_LOG_ODDS_BOUND = 700.0
"""The log-odds a PD is computed from are clamped to +-this (exp() of more overflows a double)."""


@dataclass(frozen=True)
class PdMapping:
    """How a score becomes a probability of default: PD = 1 / (1 + exp(-(intercept + slope x score +
    second_slope x second score))), the log-odds clamped to +-PD_LOG_ODDS_BOUND. `source` is `calibration`
    (fitted on outcomes) or `scaling` (read off the declared scaling, true only if it was fitted);
    `second_slope` is 0 unless a second scorecard's score was fitted with the first."""

    intercept: float
    slope: float
    source: str
    second_slope: float = 0.0

    def pd(self, score: float, second_score: float = 0.0) -> float:
        import math

        x = self.intercept + self.slope * score + self.second_slope * second_score
        x = -PD_LOG_ODDS_BOUND if x < -PD_LOG_ODDS_BOUND else PD_LOG_ODDS_BOUND if x > PD_LOG_ODDS_BOUND else x
        return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class RuleRef:
    """One typed rule or formula of a spec, with the section it belongs to and its path in the spec."""

    section: str
    path: str
    expr: CheckedExpr
    rule: CheckedRule | None = None  # None for derived features and the limit formula


@dataclass(frozen=True)
class InputConstraint:
    """What the decision requires of one input field: the one description every renderer reads (the
    decision module's `validate`, the SQL input check, the data checks, a service's request model)."""

    field: str
    type: FieldType
    required: bool
    min: Decimal | None = None
    max: Decimal | None = None
    categories: tuple[str, ...] | None = None
    pii: bool = False

    @property
    def numeric(self) -> bool:
        return self.type in (FieldType.INTEGER, FieldType.NUMBER)

    @property
    def range_text(self) -> str:
        """`300..850`, `0..`, `..100`: the declared range, empty ends left blank."""
        return f"{'' if self.min is None else self.min}..{'' if self.max is None else self.max}"


@dataclass(frozen=True)
class CheckedSpec:
    """The output of `check_spec()` when it finds no error."""

    spec: ProductSpec
    spec_hash: str
    scope: dict[str, Symbol]
    derived: tuple[tuple[str, CheckedExpr], ...]
    segments: tuple[CheckedRule, ...]
    admission: tuple[CheckedRule, ...]
    channel_rules: dict[str, tuple[CheckedRule, ...]]
    triggers: tuple[CheckedRule, ...]
    adjustments: tuple[CheckedRule, ...]
    limit_amount: CheckedExpr
    early_warning: tuple[CheckedRule, ...]
    warnings: tuple[Finding, ...] = field(default=())
    _token: object = field(default=None, repr=False, compare=False)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .checks import _TOKEN

        if self._token is not _TOKEN:
            raise TypeError("a CheckedSpec is made by check_spec(), never directly")

    @property
    def product_id(self) -> str:
        return self.spec.product.id

    def _once(self, compute):
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return self._memo[compute]

    # --- what a product implies, computed once for every generator, analysis and front end ---------
    def reasons(self) -> tuple[Reason, ...]:
        """Every reason code the product can give, in the order decisions list them."""
        return self._once(_reasons)

    def reason_map(self) -> dict[str, Reason]:
        return {r.code: r for r in self.reasons()}

    def rules(self) -> tuple[RuleRef, ...]:
        """Every typed rule and formula a decision evaluates, in evaluation order."""
        return self._once(_rules)

    def input_constraints(self) -> tuple[InputConstraint, ...]:
        """What the decision requires of each input field, in data-dictionary order."""
        return self._once(_constraints)

    def pd_mapping(self) -> PdMapping:
        """The score-to-PD mapping every decision applies: the scorecard's calibration, else its scaling."""
        return self._once(_pd_mapping)

    def score_reason_slots(self) -> tuple[tuple[int, str, str, int], ...]:
        """(order, points name, reason code, most points it can give) of every characteristic with a reason
        code, of both scorecards (the first's first): what a declined applicant's scorecard reasons are ranked
        by (points lost = most points - points got; ties in this order). The points name is `points_name`'s."""
        return self._once(_score_reason_slots)

    def cutoffs(self) -> dict[str, tuple[Decimal, ...]]:
        """Per field or derived feature, every number it is compared with or binned at (sorted): the
        boundary values a differential test or a benchmark population must hit."""
        return self._once(_cutoffs)


def _reasons(c: CheckedSpec) -> tuple[Reason, ...]:
    spec = c.spec
    out = [Reason(r.item.code, r.item.action.value, "admission", r.item.name.zh, r.item.name.en,
                  r.item.reason.zh, r.item.reason.en) for r in c.admission]
    for rules in c.channel_rules.values():
        out += [Reason(r.item.code, r.item.action.value, "channel", r.item.name.zh, r.item.name.en,
                       r.item.reason.zh, r.item.reason.en) for r in rules]
    for code, (zh, en) in SYSTEM_REASONS.items():
        out.append(Reason(code, "decline", "system", "渠道不受理客群", "Channel does not serve segment", zh, en))
    out += [Reason(t.item.code, "refer", "trigger", t.item.name.zh, t.item.name.en,
                   t.item.reason.zh, t.item.reason.en) for t in c.triggers]
    d, lim = spec.decision, spec.limits
    out.append(Reason(d.decline_code, "decline", "matrix", "决策矩阵拒绝", "Decision matrix declines",
                      d.decline_reason.zh, d.decline_reason.en))
    out.append(Reason(d.refer_code, "refer", "matrix", "决策矩阵转人工", "Decision matrix refers",
                      d.refer_reason.zh, d.refer_reason.en))
    out.append(Reason(lim.below_min_code, "decline", "limit", "额度低于最低额度", "Limit below the minimum",
                      lim.below_min_reason.zh, lim.below_min_reason.en))
    labels = {f.name: f.label for f in spec.fields} | {d.name: d.label for d in spec.derived}
    for _, _, ch in spec.scorecard.all_characteristics():
        if ch.reason_code is not None and ch.reason is not None:
            label = labels.get(ch.field)
            out.append(Reason(ch.reason_code, "decline", "scorecard", label.zh if label else ch.field,
                              label.en if label else ch.field, ch.reason.zh, ch.reason.en))
    return tuple(out)


def _score_reason_slots(c: CheckedSpec) -> tuple[tuple[int, str, str, int], ...]:
    out = []
    for order, (model, i, ch) in enumerate(c.spec.scorecard.all_characteristics()):
        if ch.reason_code is not None and ch.reason is not None:
            points = [b.points for b in ch.bins] + ([ch.missing_points] if c.scope[ch.field].nullable else [])
            out.append((order, points_name(model, i), ch.reason_code, max(points)))
    return tuple(out)


def points_name(model: int, index: int) -> str:
    """The name the generated code gives the points of characteristic `index` of scorecard `model` (1 or 2):
    p0, p1, ... for the first, q0, q1, ... for the second."""
    return f"{'p' if model == 1 else 'q'}{index}"


def _pd_mapping(c: CheckedSpec) -> PdMapping:
    import math

    card = c.spec.scorecard
    if card.calibration is not None:
        cal = card.calibration
        second = float(cal.second_slope) if cal.second_slope is not None and card.second is not None else 0.0
        return PdMapping(float(cal.intercept), float(cal.slope), "calibration", second)
    s = card.scaling
    factor = float(s.pdo) / math.log(2)
    # ln(good:bad odds) = ln(base_odds) + (score - base_score) / factor; the log-odds of bad is its negative
    return PdMapping(s.base_score / factor - math.log(float(s.base_odds)), -1.0 / factor, "scaling")


def _rules(c: CheckedSpec) -> tuple[RuleRef, ...]:
    out = [RuleRef("derived", f"derived[{name}].expr", expr) for name, expr in c.derived]
    out += [RuleRef("segments", f"segments[{r.item.id}].when", r.expr, r) for r in c.segments if r.expr is not None]
    out += [RuleRef("admission", f"admission[{r.item.code}].when", r.expr, r) for r in c.admission]
    out += [RuleRef("channels", f"channels[{ch}].rules[{r.item.code}].when", r.expr, r)
            for ch, rules in c.channel_rules.items() for r in rules]
    out += [RuleRef("decision", f"decision.review_triggers[{r.item.code}].when", r.expr, r) for r in c.triggers]
    out += [RuleRef("pricing", f"pricing.adjustments[{r.item.id}].when", r.expr, r) for r in c.adjustments]
    out.append(RuleRef("limits", "limits.amount", c.limit_amount))
    out += [RuleRef("post_loan", f"post_loan.early_warning[{r.item.code}].when", r.expr, r) for r in c.early_warning]
    return tuple(out)


def _constraints(c: CheckedSpec) -> tuple[InputConstraint, ...]:
    out = []
    for f in c.spec.fields:
        numeric = f.type in (FieldType.INTEGER, FieldType.NUMBER)
        out.append(InputConstraint(
            f.name, f.type, f.required, f.min if numeric else None, f.max if numeric else None,
            tuple(f.categories) if f.type is FieldType.CATEGORY and f.categories else None, f.pii))
    return tuple(out)


def _number(node: Node) -> Decimal | None:
    if isinstance(node, Literal) and isinstance(node.value, Decimal):
        return node.value
    return None


def _compared(node: Node):
    """(name, literal) pairs a node compares directly: `x > 3`, `x between 1 and 7`, `x in (3, 5)`."""
    if isinstance(node, Binary) and node.op in COMPARISONS:
        for name, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(name, Name) and _number(other) is not None:
                yield name.name, _number(other)
    elif isinstance(node, Between) and isinstance(node.operand, Name):
        for bound in (node.low, node.high):
            if _number(bound) is not None:
                yield node.operand.name, _number(bound)
    elif isinstance(node, InList) and isinstance(node.operand, Name):
        for value in node.values:
            if _number(value) is not None:
                yield node.operand.name, _number(value)


def _cutoffs(c: CheckedSpec) -> dict[str, tuple[Decimal, ...]]:
    found: dict[str, set[Decimal]] = {}
    for ref in c.rules():
        if ref.section == "post_loan":  # monitoring rules are not part of the decision
            continue
        for node in walk(ref.expr.node):
            for name, value in _compared(node):
                found.setdefault(name, set()).add(value)
    for _, _, ch in c.spec.scorecard.all_characteristics():
        for b in ch.bins:
            for bound in (b.lower, b.upper):
                if bound is not None:
                    found.setdefault(ch.field, set()).add(bound)
    lim = c.spec.limits
    if lim.requested_field:
        caps = {ch.limit_cap for ch in c.spec.channels if ch.limit_cap is not None}
        found.setdefault(lim.requested_field, set()).update(caps | {lim.min, lim.max})
    return {name: tuple(sorted(values)) for name, values in found.items()}

