"""How sample data draws each field of a product: its plan, made from the field's `distribution`
declaration and, for whatever is not declared, from defaults by type, unit and range. Never from names.

Steps: CheckedSpec --SampleModel--> one FieldPlan per field, in draw order (every field after the fields it
needs), with its marginal (values at each normal score), its links to the applicant's hidden risk and to
earlier fields (solved into loadings of a Gaussian copula), the condition under which it applies and the
bounds relations put on it. `explain()` lists the plans as text (`loanstudio sample-data --explain`).

Hidden structure: every applicant has a latent risk `r` (standard normal, higher = riskier); a numeric or
boolean field has a latent normal score `u = sum(b * parent) + e * noise` whose correlations with `r`
and with its parents' scores are the declared ones; a category field leans towards its riskier
categories as `r` rises. Outcomes depend on `r` as the fields show it (E[r | observed fields]) and on fraud-ring
membership (applicant_model.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import NormalDist

import numpy as np

from product_specs import CheckedSpec
from product_specs.draws import Bound, draw_order, relation_bounds
from product_specs.rules import BOOLEAN, CheckedExpr, compile_rule
from product_specs.sections import Distribution, Family, FieldType, TextFormat
from product_specs.sections import Field as DataField
from validation.data.marginals import Continuous, Count, Marginal, Uniform, count_fit

__all__ = ["SampleModel", "FieldPlan", "monitoring_plan", "PopulationPlan", "explain", "KIND_DEFAULTS", "RISK_EFFECT",
           "NOISE_SD", "RING_EFFECT", "lean_intercepts"]

_NORMAL = NormalDist()
RISK_EFFECT = 1.6           # log-odds of going bad per standard deviation of latent risk
NOISE_SD = 0.5              # unobserved heterogeneity
RING_EFFECT = 2.2           # extra log-odds of going bad for a fraud-ring member (most take the money and never repay)
_MAX_EXPLAINED = 0.95       # declared correlations may explain at most this share of a field's variation
_MAX_SHIFT_VARIANCE = 0.8

# product kind -> (bad rate, mean loss given default): defaults of the `population` section
KIND_DEFAULTS = {
    "sme_business": (0.025, 0.50), "micro_retail": (0.035, 0.55), "scenario_sme": (0.035, 0.55),
    "consumer_instalment": (0.045, 0.60),
}
_GENERIC = (0.03, 0.55)
_RING_SHARE = 0.005
_MISSING = 0.05
_SHARE_TRUE = 0.1

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNT_UNITS = {"count", "counts", "times", "number", "次", "个", "件"}
_RATIO_UNITS = {"ratio", "share", "rate", "fraction", "%", "percent", "比例", "比率"}
_TIME_UNITS = {"year", "years", "month", "months", "day", "days", "week", "weeks", "hour", "hours",
               "年", "月", "天", "日"}


@dataclass(frozen=True)
class PopulationPlan:
    """Population-level figures, declared or by product kind."""

    bad_rate: float
    loss_given_default: float
    fraud_ring_share: float
    declared: frozenset[str]


@dataclass
class FieldPlan:
    """How one field is drawn. `kind` is number, count, boolean, category or text."""

    field: DataField
    kind: str
    declared: frozenset[str] = frozenset()
    marginal: Marginal | None = None
    step: float | None = None
    missing: float = 0.0
    risk_correlation: float = 0.0
    parents: list[tuple[str, float]] = field(default_factory=list)  # numeric/boolean parents, correlation
    shifts: list[tuple[str, dict[str, float]]] = field(default_factory=list)  # category parents
    ratio_to: str | None = None
    applies_when: CheckedExpr | None = None
    otherwise: object = None
    bounds: list[Bound] = field(default_factory=list)
    in_rings: float = 0.0
    share: float = 0.0  # boolean: share true
    categories: list[str] = field(default_factory=list)
    shares: np.ndarray | None = None
    category_risk: np.ndarray | None = None
    alphas: np.ndarray | None = None  # category: intercepts that give `shares` for every leaning
    text_format: TextFormat | None = None
    id_prefix: str = ""
    # the latent score: u = coefs . [r, parent scores] + noise * own noise; then category shifts
    coefs: np.ndarray | None = None
    noise: float = 1.0
    shift_scale: float = 1.0
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def latent(self) -> bool:
        return self.kind in ("number", "count", "boolean")


class SampleModel:
    """Every field's plan for one product, in draw order, and the population's figures."""

    def __init__(self, checked: CheckedSpec):
        spec = checked.spec
        self.checked, self.spec = checked, spec
        self.population = _population(spec)
        self.fields = spec.field_map()
        scope = {n: s for n, s in checked.scope.items() if n in self.fields}
        order, cycle = draw_order(spec)
        if cycle:  # check_spec refuses such a spec: a CheckedSpec never has one
            raise ValueError("fields drawn in a circle: " + " -> ".join(cycle))
        bounds = _bounds(spec, scope)
        self._loadings: dict[str, np.ndarray] = {}
        self._latent_index = {n: i + 1 for i, n in enumerate(
            n for n in order if self.fields[n].type in (FieldType.INTEGER, FieldType.NUMBER, FieldType.BOOLEAN))}
        ids = iter(_id_prefixes())
        self.plans: list[FieldPlan] = []
        for name in order:
            plan = self._plan(self.fields[name], scope, bounds.get(name, []))
            if plan.kind == "text" and plan.text_format is TextFormat.ID:
                plan.id_prefix = next(ids)
            self.plans.append(plan)
        self.by_name = {p.name: p for p in self.plans}

    # one field ------------------------------------------------------------------------------------------
    def _plan(self, f: DataField, scope, bounds: list[Bound]) -> FieldPlan:
        d = f.distribution or Distribution()
        declared = frozenset(k for k, v in d.model_dump(exclude_defaults=True, exclude_none=True).items())
        kind = {FieldType.BOOLEAN: "boolean", FieldType.CATEGORY: "category", FieldType.STRING: "text"}.get(f.type)
        plan = FieldPlan(f, kind or "number", declared)
        plan.missing = 0.0 if f.required else float(d.missing if d.missing is not None else _MISSING)
        plan.applies_when = compile_rule(d.applies_when, scope, BOOLEAN) if d.applies_when else None
        plan.otherwise = _otherwise(f, d.otherwise)
        plan.in_rings = float(d.in_rings or 0)
        plan.bounds = bounds
        if f.type in (FieldType.INTEGER, FieldType.NUMBER):
            self._numeric(plan, f, d)
        elif f.type is FieldType.BOOLEAN:
            plan.share = float(d.share if d.share is not None else _SHARE_TRUE)
        elif f.type is FieldType.CATEGORY:
            _categories(plan, f, d)
        else:
            plan.text_format = d.format or TextFormat.ID
        if plan.latent:
            self._latent(plan, d)
        return plan

    def _numeric(self, plan: FieldPlan, f: DataField, d: Distribution) -> None:
        plan.ratio_to = d.ratio_to
        requested = f.name == self.spec.limits.requested_field
        plan.marginal = _marginal(f, d, requested, self.spec.limits, plan.notes)
        if plan.marginal.family is Family.COUNT:
            plan.kind = "count"
        plan.step = _step(f, d)

    def _latent(self, plan: FieldPlan, d: Distribution) -> None:
        """Solve the loadings that give the declared correlations with risk and with earlier fields."""
        parents: list[tuple[str, float]] = []
        if d.risk_correlation:
            parents.append(("risk", float(d.risk_correlation)))
        for dep in d.depends_on:
            if dep.correlation is not None:
                parents.append((dep.field, float(dep.correlation)))
            elif dep.shift:
                plan.shifts.append((dep.field, {k: float(v) for k, v in dep.shift.items()}))
        plan.risk_correlation = float(d.risk_correlation or 0)
        plan.parents = parents
        size = len(self._latent_index) + 1
        loads = [self._loading("risk", size) if n == "risk" else self._loadings[n] for n, _ in parents]
        target = np.array([c for _, c in parents])
        own = np.zeros(size)
        own[self._latent_index[plan.name]] = 1.0
        if parents:
            # every parent score is standard normal (a shifted one is normalised after its shift), so the
            # diagonal is 1; the correlations between parents come from their loadings
            cov = np.array([[1.0 if i == j else a @ b for j, b in enumerate(loads)] for i, a in enumerate(loads)])
            coefs = np.linalg.lstsq(cov, target, rcond=None)[0]
            explained = float(target @ coefs)
            if explained > _MAX_EXPLAINED:
                scale = math.sqrt(_MAX_EXPLAINED / explained)
                coefs, explained = coefs * scale, _MAX_EXPLAINED
                plan.notes.append(f"the declared correlations cannot all hold: lowered to {scale:.0%} of them")
            plan.coefs, plan.noise = coefs, math.sqrt(max(1 - explained, 0.0))
            loading = sum(c * v for c, v in zip(coefs, loads, strict=True)) + plan.noise * own
        else:
            plan.coefs, plan.noise, loading = np.zeros(0), 1.0, own
        if plan.shifts:
            variance = sum(_shift_variance(self.by_name_so_far(n), s) for n, s in plan.shifts)
            if variance > _MAX_SHIFT_VARIANCE:
                plan.notes.append("the declared shifts are too large: scaled down")
                factor = math.sqrt(_MAX_SHIFT_VARIANCE / variance)
                plan.shifts = [(n, {k: v * factor for k, v in s.items()}) for n, s in plan.shifts]
                variance = _MAX_SHIFT_VARIANCE
            plan.shift_scale = math.sqrt(1 - variance)
            loading = loading * plan.shift_scale
        self._loadings[plan.name] = loading

    def by_name_so_far(self, name: str) -> FieldPlan:
        return next(p for p in self.plans if p.name == name)

    @staticmethod
    def _loading(name: str, size: int) -> np.ndarray:
        out = np.zeros(size)
        out[0] = 1.0
        return out

    def shift_atoms(self, plan: FieldPlan) -> tuple[np.ndarray, np.ndarray]:
        """(centred shift values, weights) of the mixture a field's score is shifted by."""
        values, weights = np.zeros(1), np.ones(1)
        for name, shift in plan.shifts:
            parent = self.by_name[name]
            cats = parent.categories
            vals = np.array([shift.get(c, 0.0) for c in cats])
            w = parent.shares
            mean = float(vals @ w)
            values = (values[:, None] + (vals - mean)[None, :]).ravel()
            weights = (weights[:, None] * w[None, :]).ravel()
            if len(values) > 400:  # merge atoms on a fine grid
                keys = np.round(values, 3)
                uniq, inverse = np.unique(keys, return_inverse=True)
                weights = np.bincount(inverse, weights)
                values = uniq
        return values, weights


def monitoring_plan(f: DataField, limits=None) -> FieldPlan:
    """How a post-loan monitoring field is drawn each month for each active loan: its marginal (numbers),
    share (booleans) or shares (categories) from its `distribution` declaration or the defaults by type,
    unit and range, and `risk_correlation` / `risk_by_category` as its link to the loan's distress. No
    links to other fields, no empty values (validation.data.performance draws it)."""
    d = f.distribution or Distribution()
    declared = frozenset(k for k, v in d.model_dump(exclude_defaults=True, exclude_none=True).items())
    kind = {FieldType.BOOLEAN: "boolean", FieldType.CATEGORY: "category", FieldType.STRING: "text"}.get(f.type)
    plan = FieldPlan(f, kind or "number", declared)
    plan.risk_correlation = float(d.risk_correlation or 0)
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        plan.marginal = _marginal(f, d, False, limits, plan.notes)
        if plan.marginal.family is Family.COUNT:
            plan.kind = "count"
        plan.step = _step(f, d)
    elif f.type is FieldType.BOOLEAN:
        plan.share = float(d.share if d.share is not None else _SHARE_TRUE)
    elif f.type is FieldType.CATEGORY:
        _categories(plan, f, d)
    return plan


def _id_prefixes():
    yield "A"
    yield from "BCDEFGHJKLMNPQRSTUVWXYZ"
    n = 0
    while True:
        n += 1
        yield f"Z{n}-"


def _population(spec) -> PopulationPlan:
    bad, lgd = KIND_DEFAULTS.get(getattr(spec.product.kind, "value", str(spec.product.kind)), _GENERIC)
    pop = spec.population
    declared = set()
    ring = _RING_SHARE
    if pop is not None:
        if pop.bad_rate is not None:
            bad = float(pop.bad_rate)
            declared.add("bad_rate")
        if pop.loss_given_default is not None:
            lgd = float(pop.loss_given_default)
            declared.add("loss_given_default")
        if pop.fraud_ring_share is not None:
            ring = float(pop.fraud_ring_share)
            declared.add("fraud_ring_share")
    return PopulationPlan(bad, lgd, ring, frozenset(declared))


def _bounds(spec, scope) -> dict[str, list[Bound]]:
    out: dict[str, list[Bound]] = {}
    if spec.population is None:
        return out
    numeric = {f.name for f in spec.fields if f.type in (FieldType.INTEGER, FieldType.NUMBER)}
    for i, text in enumerate(spec.population.relations):
        for bound in relation_bounds(compile_rule(text, scope, BOOLEAN), i, numeric):
            out.setdefault(bound.field, []).append(bound)
    return out


def _otherwise(f: DataField, value):
    if value is None:
        return None
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        return float(value)
    if f.type is FieldType.CATEGORY:
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    return value


def _step(f: DataField, d: Distribution) -> float:
    if d.step is not None:
        return float(d.step)
    if f.type is FieldType.INTEGER:
        return 1.0
    return 0.01 if _CURRENCY.match(f.unit or "") else 0.0001


# categories -------------------------------------------------------------------------------------------------

def _categories(plan: FieldPlan, f: DataField, d: Distribution) -> None:
    cats = list(f.categories or [])
    plan.categories = cats
    declared = {k: float(v) for k, v in (d.shares or {}).items()}
    left = max(1.0 - sum(declared.values()), 0.0)
    unlisted = [c for c in cats if c not in declared]
    shares = np.array([declared.get(c, left / len(unlisted) if unlisted else 0.0) for c in cats])
    if not declared:
        shares = np.full(len(cats), 1.0 / len(cats))
    plan.shares = shares / shares.sum()
    plan.category_risk = np.array([float((d.risk_by_category or {}).get(c, 0)) for c in cats])
    plan.alphas = lean_intercepts(plan.shares, plan.category_risk)


def lean_intercepts(shares: np.ndarray, lean: np.ndarray, risks: np.ndarray | None = None) -> np.ndarray:
    """Intercepts `a` such that choosing categories with weights exp(a + lean * r) gives `shares` on average
    over the latent risks `risks` (default: a standard normal, by Gauss-Hermite nodes); fixed-point iteration."""
    if risks is None:
        nodes, weights = np.polynomial.hermite_e.hermegauss(48)
        weights = weights / weights.sum()
    else:
        nodes, weights = risks, np.full(len(risks), 1.0 / len(risks))
    present = shares > 0
    alphas = np.where(present, np.log(np.where(present, shares, 1.0)), -np.inf)
    if not lean.any():
        return alphas
    for _ in range(300):
        logits = alphas[None, :] + lean[None, :] * nodes[:, None]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        got = weights @ probs
        step = np.where(present, np.log(np.where(present, shares, 1.0)) - np.log(np.maximum(got, 1e-300)), 0.0)
        alphas = np.where(present, alphas + step, -np.inf)
        if np.abs(step).max() < 1e-10:
            break
    return alphas


def _shift_variance(parent: FieldPlan, shift: dict[str, float]) -> float:
    vals = np.array([shift.get(c, 0.0) for c in parent.categories])
    mean = float(vals @ parent.shares)
    return float(((vals - mean) ** 2) @ parent.shares)


# marginals --------------------------------------------------------------------------------------------------

def _num(value) -> float | None:
    return None if value is None else float(value)


def _marginal(f: DataField, d: Distribution, requested: bool, limits, notes: list[str]) -> Marginal:
    low, high = _num(f.min), _num(f.max)
    knots = sorted({int(k[1:]) / 100: float(v) for k, v in (d.quantiles or {}).items()}.items())
    if d.median is not None:
        knots = sorted({**dict(knots), 0.5: float(d.median)}.items())
    if d.ratio_to is not None:  # the declaration describes the ratio: no range of its own
        family = d.family or Family.LOGNORMAL
        if family is Family.LOGNORMAL and any(v <= 0 for _, v in knots):
            family = Family.NORMAL
        if not knots:
            knots = [(0.5, 1.0)]
            notes.append("no typical ratio declared: 1")
        return _build(family, knots, None, None, f, d.mean)
    family = d.family or (Family.COUNT if d.mean is not None else None)
    if family is None or not (knots or d.mean is not None):
        default_family, default_knots = _default(f, requested, limits)
        family = family or default_family
        if not knots and d.mean is None:
            knots = default_knots if family is default_family else _centre(family, low, high)
    return _build(family, knots, low, high, f, d.mean)


def _centre(family: Family, low, high) -> list[tuple[float, float]]:
    """A typical value for a declared family without quantiles."""
    if family is Family.COUNT:
        return []
    if low is not None and high is not None:
        if family is Family.LOGNORMAL:
            lo = max(low, high / 1e4, 1e-6)
            return [(0.5, math.sqrt(lo * high))]
        return [(0.5, (low + high) / 2)]
    return [(0.5, (low if low is not None else high if high is not None else 0.0) + 1.0)]


def _default(f: DataField, requested: bool, limits) -> tuple[Family, list[tuple[float, float]]]:
    """(family, quantiles) by unit and range when nothing is declared."""
    unit = (f.unit or "").strip()
    low, high = _num(f.min), _num(f.max)
    if unit.lower() in _COUNT_UNITS and f.type is FieldType.INTEGER:
        return Family.COUNT, []
    if requested:  # the amount asked for lies between the product's smallest and largest limit
        low, high = max(low or 0.0, float(limits.min)), min(high if high is not None else 1e18, float(limits.max))
        if low >= high:
            low, high = _num(f.min), _num(f.max)
    if high is not None and (low or 0) >= 0:
        if unit.lower() in _RATIO_UNITS or (low is not None and high <= 1):
            if low is not None and high > low:
                mid = low + (high - low) * 0.3 if high - low > 1 else (low + high) / 2
                return Family.LOGITNORMAL, [(0.5, mid), (0.9, low + (high - low) * 0.7)]
        wide = high >= 1000 * max(low or 0.0, 1.0)
        if _CURRENCY.match(unit) or requested or unit.lower() in _TIME_UNITS or wide:
            floor = 1e4 if (_CURRENCY.match(unit) or requested or wide) else 100
            lo = max(low or 0.0, high / floor, 1e-6)
            if lo < high:
                median = math.sqrt(lo * high)
                sigma = math.log(high / lo) / 6
                return Family.LOGNORMAL, [(0.5, median), (0.9, median * math.exp(1.2816 * sigma))]
    if low is not None and high is not None and high > low:
        mid = (low + high) / 2
        return Family.NORMAL, [(0.5, mid), (0.9, mid + 1.2816 * (high - low) / 6)]
    centre = (low if low is not None else high if high is not None else 0.0) + (1 if high is None else -1)
    return Family.NORMAL, [(0.5, centre), (0.9, centre + 1.2816)]


def _build(family: Family, knots: list[tuple[float, float]], low, high, f: DataField, mean) -> Marginal:
    if family is Family.COUNT:
        m, k = count_fit(knots, _num(mean))
        return Count.of(m, k, low if low is not None else 0.0, high)
    if family is Family.UNIFORM:
        lo = low if low is not None else knots[0][1]
        hi = high if high is not None else knots[-1][1]
        points = sorted({0.0: lo, **dict(knots), 1.0: hi}.items())
        return Uniform(np.array([p for p, _ in points]), np.array([v for _, v in points]), low, high)
    spread = {Family.LOGNORMAL: 0.6, Family.LOGITNORMAL: 0.8}.get(family)
    if spread is None:  # normal: a sixth of the range, at most 30% of the median's size
        median = knots[len(knots) // 2][1] if knots else 0.0
        width = (high - low) / 6 if low is not None and high is not None and high > low else math.inf
        spread = min(width, max(abs(median), 1.0) * 0.3)
    marginal = Continuous(family, np.array([]), np.array([]), spread, spread, low, high,
                          low if low is not None else 0.0, high if high is not None else 1.0)
    kz = np.array([_NORMAL.inv_cdf(p) for p, _ in knots])
    kt = marginal.transform(np.array([v for _, v in knots], dtype=float))
    marginal.knots_z, marginal.knots_t = kz, kt
    if len(knots) > 1:
        marginal.low_slope = float((kt[1] - kt[0]) / (kz[1] - kz[0]))
        marginal.high_slope = float((kt[-1] - kt[-2]) / (kz[-1] - kz[-2]))
    return marginal


# explain ----------------------------------------------------------------------------------------------------

def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _value_text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return _fmt(value) if isinstance(value, float) else str(value)


def _said(plan: FieldPlan, *keys: str) -> str:
    return "declared" if any(k in plan.declared for k in keys) else "default"


def explain(checked: CheckedSpec) -> list[str]:
    """Each field's plan, in draw order, as lines of text: what is declared and what is a default."""
    model = SampleModel(checked)
    pop = model.population
    lines = [f"population: bad rate {pop.bad_rate:.2%} ({'declared' if 'bad_rate' in pop.declared else 'default'}), "
             f"loss given default {pop.loss_given_default:.0%}, fraud rings {pop.fraud_ring_share:.2%} of applicants",
             "fields, in the order they are drawn:"]
    for plan in model.plans:
        f = plan.field
        head = f"{f.name} ({f.type.value}{', ' + f.unit if f.unit else ''}"
        if f.min is not None or f.max is not None:
            head += f", {'' if f.min is None else f.min}..{'' if f.max is None else f.max}"
        lines.append(head + "): " + _what(plan))
        for line in _links(model, plan) + plan.notes:
            lines.append("    " + line)
    return lines


def _what(plan: FieldPlan) -> str:
    if plan.kind in ("number", "count"):
        m = plan.marginal
        qs = ", ".join(f"p{p} {_fmt(m.quantile(p / 100))}" for p in (5, 50, 95))
        of = f" x {plan.ratio_to}" if plan.ratio_to else ""
        return (f"{m.describe()}{of}, {qs} ({_said(plan, 'family', 'median', 'quantiles', 'mean')})"
                f"; step {_fmt(plan.step)}")
    if plan.kind == "boolean":
        return f"true for {plan.share:.1%} ({_said(plan, 'share')})"
    if plan.kind == "category":
        shares = ", ".join(f"{c} {s:.0%}" for c, s in zip(plan.categories, plan.shares, strict=True))
        return f"{shares} ({_said(plan, 'shares')})"
    return f"{plan.text_format.value} ({_said(plan, 'format')})"


def _links(model: SampleModel, plan: FieldPlan) -> list[str]:
    out = []
    if plan.applies_when is not None:
        where = "empty" if plan.otherwise is None else _value_text(plan.otherwise)
        out.append(f"only where {plan.applies_when.text}; elsewhere {where}")
    if plan.missing:
        out.append(f"empty for {plan.missing:.1%} ({_said(plan, 'missing')})")
    if plan.risk_correlation:
        out.append(f"risk correlation {plan.risk_correlation:+.2f}")
    elif plan.category_risk is not None and plan.category_risk.any():
        riskier = ", ".join(f"{c} {r:+.2g}" for c, r in zip(plan.categories, plan.category_risk, strict=True) if r)
        out.append(f"risk by category: {riskier}")
    elif plan.kind != "text" and not [n for n, _ in plan.parents if n != "risk"]:
        out.append("says nothing about risk (no risk_correlation declared)")
    for name, corr in plan.parents:
        if name != "risk":
            out.append(f"moves with {name} (correlation {corr:+.2f})")
    for name, shift in plan.shifts:
        out.append(f"shifted by {name}: " + ", ".join(f"{c} {v:+.2g}" for c, v in shift.items()))
    for bound in plan.bounds:
        out.append(f"kept {bound.text} on every row")
    if plan.in_rings:
        out.append(f"shows {plan.in_rings:.0%} of fraud rings")
    return out
