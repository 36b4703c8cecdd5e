"""The hidden applicant model behind sample data: latent factors, what each field means, and the truth.

Every applicant has a latent creditworthiness `z` (higher is better), a business/household size and a
maturity factor. A field is drawn from these by what its *name* means (a bureau score rises with `z`,
overdue counts fall with it, taxable sales are log-normal by industry...), never from the spec's rules or
scorecard. The same meanings add field effects to the hidden log-odds of going bad, so a strategy that
reads the fields sensibly can separate risk; unknown fields get a neutral generic draw.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np

from product_specs import CheckedSpec
from product_specs.sections import Field as DataField
from product_specs.sections import FieldType

__all__ = ["Profile", "FieldPlan", "ProductModel", "Applicants", "PROFILES", "mix", "sigmoid", "logit"]


@dataclass(frozen=True)
class Profile:
    """Population traits of a kind of product."""

    bad_rate: float           # share that goes M3+ within 12 months, before any strategy
    thin_file_rate: float     # applicants without a credit history
    monthly_income: float     # median monthly income (CNY)
    annual_sales: float       # median annual sales of the firm (CNY)
    requested: float          # median requested amount (CNY)
    age_mean: float
    age_sd: float
    lgd_mean: float           # mean loss given default


PROFILES = {
    "sme_business": Profile(0.025, 0.06, 20000, 3_500_000, 250_000, 42, 8, 0.50),
    "micro_retail": Profile(0.035, 0.09, 7000, 1_200_000, 50_000, 39, 9, 0.55),
    "scenario_sme": Profile(0.035, 0.07, 15000, 2_000_000, 100_000, 38, 8, 0.55),
    "consumer_instalment": Profile(0.045, 0.12, 6500, 800_000, 20_000, 33, 8, 0.60),
}

# channel kind -> (share of applications, effect on log-odds of going bad)
CHANNEL_KINDS = {
    "mobile_banking_app": (0.30, -0.15), "wechat_official_account": (0.22, 0.0), "mini_program": (0.18, 0.05),
    "qr_code": (0.12, -0.05), "h5": (0.10, 0.25), "partner_api": (0.30, 0.15), "branch": (0.10, -0.20),
}
# industry keyword -> (share, log-size offset, effect on log-odds)
INDUSTRIES = [
    ("manufactur", 0.18, 0.35, -0.10), ("wholesale", 0.16, 0.45, 0.0), ("retail", 0.12, -0.10, 0.10),
    ("construct", 0.08, 0.30, 0.25), ("logistic", 0.08, 0.10, 0.10), ("transport", 0.06, 0.10, 0.10),
    ("supply_chain", 0.20, 0.30, -0.10), ("ecommerce", 0.18, 0.00, 0.10), ("servic", 0.14, -0.30, 0.05),
    ("tech", 0.07, 0.10, -0.15), ("software", 0.05, 0.10, -0.15), ("catering", 0.08, -0.50, 0.30),
    ("restaurant", 0.06, -0.50, 0.30), ("agri", 0.05, -0.40, 0.20), ("real_estate", 0.02, 0.50, 0.50),
    ("financ", 0.015, 0.30, 0.60), ("other", 0.05, -0.20, 0.15),
]
# category value -> (share, effect on log-odds); a category field is read this way when most values are known
VOCABULARY = {
    "owned": (0.35, -0.25), "mortgaged": (0.25, -0.15), "family": (0.15, 0.10), "rented": (0.20, 0.20),
    "dormitory": (0.05, 0.30), "civil_servant": (0.08, -0.50), "salaried": (0.45, -0.15),
    "employee": (0.45, -0.15), "self_employed": (0.25, 0.15), "farmer": (0.12, 0.20), "student": (0.05, 0.40),
    "unemployed": (0.02, 0.80), "retired": (0.03, 0.0), "other": (0.07, 0.20), "postgraduate": (0.05, -0.30),
    "master": (0.04, -0.25), "doctor": (0.01, -0.30), "bachelor": (0.20, -0.15), "college": (0.25, -0.05),
    "high_school": (0.30, 0.10), "below_high_school": (0.20, 0.20), "primary": (0.05, 0.30),
    "married": (0.55, -0.10), "single": (0.35, 0.10), "divorced": (0.08, 0.25), "widowed": (0.02, 0.05),
    "male": (0.55, 0.05), "female": (0.45, -0.05), "active": (0.35, -0.30), "dormant": (0.15, 0.10),
    "new": (0.50, 0.15),
}
# boolean names: (pattern, share true, effect on log-odds when true, true more often in fraud rings)
BAD_FLAGS = [
    (r"black|deny_?list", 0.008, 1.2, False), (r"court|enforce|judg|dishonest|execut|lawsuit|litigat", 0.012, 1.0, False),
    (r"fraud|emulator|root|jailbreak|tamper|proxy|device_risk|risky|suspicious", 0.012, 0.9, True),
    (r"arrear|overdue|default|delinq", 0.02, 0.8, False), (r"abnormal|sanction|watch|penalt|violat|bankrupt", 0.015, 0.8, False),
]
GOOD_FLAGS = [
    (r"in_service|service_area|local|resident", 0.95, -0.40), (r"income_verified|verified_income", 0.60, -0.30),
    (r"kyc|face|liveness|real_name|consent|authori[sz]", 0.97, -0.40), (r"verified", 0.90, -0.30),
    (r"payroll|salary", 0.28, -0.35), (r"house|home|property|owner", 0.45, -0.20), (r"car|vehicle", 0.30, -0.10),
    (r"existing|customer|vip|member", 0.35, -0.20), (r"insur|guarantee", 0.35, -0.10), (r"employ", 0.85, -0.20),
]
_GRADE = re.compile(r"^([A-Ea-e])\1{0,2}[+-]?$")
_LEVELS = ["very_low", "low", "medium", "mid", "high", "very_high"]
RING_SHARE = 0.005          # applicants who belong to a fraud ring
RING_EFFECT = 2.2           # extra log-odds of going bad for a ring member
THIN_EFFECT = 0.35
Z_EFFECT = 1.35             # log-odds per standard deviation of creditworthiness
NOISE_SD = 0.5              # unobserved heterogeneity


def mix(base: np.ndarray, rho: float, rng: np.random.Generator) -> np.ndarray:
    """A standard normal with correlation `rho` to `base` (itself standard normal)."""
    return rho * base + np.sqrt(1 - rho * rho) * rng.standard_normal(base.shape[0])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class FieldPlan:
    """How one field of the data dictionary is drawn: its role (meaning) and the role's parameters."""

    field: DataField
    role: str
    params: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def low(self) -> float | None:
        return _num(self.field.min)

    @property
    def high(self) -> float | None:
        return _num(self.field.max)


class ProductModel:
    """The meanings of one product's fields, decided once per spec from names, types and categories."""

    def __init__(self, checked: CheckedSpec):
        spec = checked.spec
        self.spec = spec
        self.profile = PROFILES.get(spec.product.kind.value, PROFILES["micro_retail"])
        self.channel_field = spec.product.channel_field
        self.requested_field = spec.limits.requested_field
        self.limits = (float(spec.limits.min), float(spec.limits.max))
        self.channel_kinds = {c.id: c.kind.value for c in spec.channels}
        self.plans = [self._plan(f) for f in spec.fields]
        industries = [p for p in self.plans if p.role == "industry"]
        self.industry_plan = industries[0] if industries else None
        self.has_sales = any(p.role == "sales" for p in self.plans)

    def _plan(self, f) -> FieldPlan:
        name = f.name.lower()
        if f.type is FieldType.STRING:
            return FieldPlan(f, _string_role(name))
        if f.type is FieldType.BOOLEAN:
            return _boolean_plan(f, name)
        if f.type is FieldType.CATEGORY:
            return self._category_plan(f, name)
        if name == (self.requested_field or "") or re.search(r"requested|apply_amount|applied_amount", name):
            return FieldPlan(f, "requested")
        return FieldPlan(f, _numeric_role(name))

    def _category_plan(self, f, name: str) -> FieldPlan:
        cats = list(f.categories or [])
        if f.name == self.channel_field:
            weights = [CHANNEL_KINDS.get(self.channel_kinds.get(c, ""), (0.1, 0.0)) for c in cats]
            return FieldPlan(f, "vocabulary", {"weights": [w for w, _ in weights], "effects": [e for _, e in weights],
                                               "loading": 0.0})
        ranks = _grade_ranks(cats, name)
        if ranks is not None:
            new = "M" if "M" in cats and len(cats) > 2 else None
            return FieldPlan(f, "grade", {"ranks": ranks, "new": new})
        matched = [_industry(c) for c in cats]
        if sum(m is not None for m in matched) * 2 > len(cats) or re.search(r"industry|sector", name):
            rows = [m or ("", 0.05, 0.0, 0.0) for m in matched]
            return FieldPlan(f, "industry", {"weights": [r[1] for r in rows], "size": [r[2] for r in rows],
                                             "effects": [r[3] for r in rows]})
        known = [VOCABULARY.get(c.lower()) for c in cats]
        if sum(k is not None for k in known) * 2 > len(cats):
            rows = [k or (0.05, 0.0) for k in known]
            return FieldPlan(f, "vocabulary", {"weights": [r[0] for r in rows], "effects": [r[1] for r in rows],
                                               "loading": 0.8})
        weights = [1.0 / (i + 1) ** 0.8 for i in range(len(cats))]
        return FieldPlan(f, "vocabulary", {"weights": weights, "effects": [0.0] * len(cats), "loading": 0.0})


def _string_role(name: str) -> str:
    for role, pattern in [("row_id", r"^(applicant|application|app|apply|loan|request|row)_?id$|^id$"),
                          ("id_number", r"id_number|id_card|identity|passport|cert"),
                          ("phone", r"phone|mobile|tel"), ("email", r"mail"), ("address", r"address|addr"),
                          ("device", r"device|imei|idfa|android"), ("ip", r"(^|_)ip($|_)"),
                          ("person_name", r"name")]:
        if re.search(pattern, name):
            return role
    return "code"


def _boolean_plan(f, name: str) -> FieldPlan:
    for pattern, share, effect, ring in BAD_FLAGS:
        if re.search(pattern, name):
            return FieldPlan(f, "bad_flag", {"share": share, "effect": effect, "ring": ring})
    for pattern, share, effect in GOOD_FLAGS:
        if re.search(pattern, name):
            return FieldPlan(f, "good_flag", {"share": share, "effect": effect})
    flag_like = re.search(r"^(is|has|was|in)_|_flag$|^flag_", name)
    return FieldPlan(f, "neutral_flag", {"share": 0.05 if flag_like else 0.3})


_NUMERIC_ROLES = [
    ("shared_count", r"shared|same_(device|phone|address|ip)|network_links|linked|associat"),
    ("max_dpd", r"max_dpd|dpd|days_past_due|overdue_days"),
    ("overdue_count", r"overdue|delinquen|late_pay|missed_pay|default_count"),
    ("inquiries", r"inquir|enquir|quer(y|ies)|hard_pull"),
    ("adverse_count", r"litigat|lawsuit|court|judg|enforce|penalt|violat"),
    ("zero_filing", r"zero_(filing|declar)"),
    ("risk_score", r"(fraud|risk)_score"),
    ("credit_score", r"score"),
    ("age", r"(^|_)age$|^age_"),
    ("filing_years", r"filing|tax_years"),
    ("platform_tenure", r"platform_(months|years|tenure)|months_on_platform"),
    ("network_tenure", r"network_tenure|phone_tenure|sim_"),
    ("firm_age", r"firm_age|company_age|business_age|incorporat|business_years|years_in_business|operat"),
    ("tax_paid", r"tax_paid|tax_amount|taxes_paid|vat_paid"),
    ("debt_payment", r"debt_payment|repayment|instal|emi$"),
    ("ownership", r"share_ratio|shareholding|ownership|stake|equity_share"),
    ("bad_ratio", r"dti|debt_to|debt_ratio|utili[sz]|leverage|usage_ratio|loan_to"),
    ("small_bad_rate", r"refund|return_rate|chargeback|complaint|dispute"),
    ("growth", r"growth|change|trend|yoy"),
    ("income", r"income|salary|wage|earning"),
    ("sales", r"sales|revenue|turnover|gmv|receipts"),
    ("debt_amount", r"debt|liabilit|loan_balance|outstanding|borrowing"),
    ("deposits", r"deposit|saving|asset|balance|aum|wealth"),
    ("tenure", r"years|tenure|months|since|history|seniority"),
    ("count", r"count|_cnt$|number_of|^num_|times"),
]


def _numeric_role(name: str) -> str:
    for role, pattern in _NUMERIC_ROLES:
        if re.search(pattern, name):
            return role
    return "generic"


def _grade_ranks(cats: list[str], name: str) -> list[int] | None:
    """Rank of each category, best first (0), when the categories are letter grades or levels."""
    letters = [c for c in cats if _GRADE.match(c) and c.upper() != "M"]
    if len(letters) >= 2 and all(_GRADE.match(c) or c.upper() == "M" for c in cats):
        order = sorted(letters, key=lambda c: (c[0].upper(), -len(c), {"+": 0, "": 1, "-": 2}[c[-1] if c[-1] in "+-" else ""]))
        mid = len(order) // 2
        return [order.index(c) if c in order else mid for c in cats]
    lower = [c.lower() for c in cats]
    if len(cats) >= 2 and all(c in _LEVELS for c in lower):
        order = sorted(lower, key=_LEVELS.index)
        worse_high = re.search(r"risk|fraud|debt", name) is not None
        return [(order.index(c) if worse_high else len(order) - 1 - order.index(c)) for c in lower]
    return None


def _industry(category: str):
    low = category.lower()
    for key, share, size, effect in INDUSTRIES:
        if key in low:
            return (key, share, size, effect)
    return None


class Applicants:
    """One chunk of synthetic applicants: latent factors and the facts drawn from them.

    Each fact and field draws from its own random stream (seed, chunk, name), so adding a field to a
    spec does not change the values of the others.
    """

    def __init__(self, model: ProductModel, n: int, seed: int, chunk: int, start: int):
        self.model, self.n, self.seed, self.chunk, self.start = model, n, seed, chunk, start
        self.p = model.profile
        rng = self.stream("latent")
        self.z = rng.standard_normal(n)
        self.size = mix(self.z, 0.3, rng)
        self.maturity = mix(self.z, 0.3, rng)
        self.thin = rng.random(n) < self.p.thin_file_rate
        self.risk = np.zeros(n)   # field effects on the hidden log-odds of going bad
        self.ring_id, self.ring_size, self.ring_kind = self._rings()

    def stream(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.chunk, zlib.crc32(name.encode())])

    def _rings(self):
        """Fraud rings: small groups sharing a device (kind 1), a phone (2) or both (3)."""
        rng = self.stream("rings")
        ring_id = np.full(self.n, -1)
        size = np.zeros(self.n, dtype=np.int64)
        kind = np.zeros(self.n, dtype=np.int64)
        target = int(self.n * RING_SHARE)
        sizes = []
        while sum(sizes) < target:
            sizes.append(int(rng.integers(3, 10)))
        if not sizes or sum(sizes) > self.n:
            return ring_id, size, kind
        members = rng.choice(self.n, sum(sizes), replace=False)
        kinds = rng.choice([1, 2, 3], len(sizes), p=[0.5, 0.3, 0.2])
        at = 0
        for r, s in enumerate(sizes):
            idx = members[at:at + s]
            ring_id[idx], size[idx], kind[idx] = r, s, kinds[r]
            at += s
        return ring_id, size, kind

    @property
    def ring_count(self) -> int:
        return int(self.ring_id.max(initial=-1)) + 1

    @property
    def in_ring(self) -> np.ndarray:
        return self.ring_id >= 0

    # facts shared by several fields -------------------------------------------------------------------
    @cached_property
    def age(self) -> np.ndarray:
        return self.p.age_mean + self.p.age_sd * mix(self.z, 0.15, self.stream("fact:age"))

    @cached_property
    def overdue_count(self) -> np.ndarray:
        rng = self.stream("fact:overdue")
        x = mix(self.z, 0.7, rng)
        count = rng.poisson(np.exp(-1.4 - 1.0 * x))
        return np.where(self.thin, 0, count)

    @cached_property
    def max_dpd(self) -> np.ndarray:
        rng = self.stream("fact:max_dpd")
        c = self.overdue_count
        days = np.ceil(rng.gamma(1.2, 9.0 * (1 + 0.4 * c) * np.exp(-0.35 * self.z)))
        return np.where(c > 0, np.maximum(days, 1), 0)

    @cached_property
    def firm_age(self) -> np.ndarray:
        rng = self.stream("fact:firm_age")
        return np.exp(np.log(5.5) + 0.75 * np.clip(mix(self.maturity, 0.85, rng), -3.5, 3.2))

    @cached_property
    def filing_years(self) -> np.ndarray:
        rng = self.stream("fact:filing_years")
        return self.firm_age * rng.beta(6, 1.5, self.n)

    @cached_property
    def platform_years(self) -> np.ndarray:
        rng = self.stream("fact:platform")
        return np.exp(np.log(3.5) + 0.75 * np.clip(mix(self.maturity, 0.8, rng), -3.5, 3.2))

    @cached_property
    def monthly_income(self) -> np.ndarray:
        rng = self.stream("fact:income")
        x = 0.6 * self.size + 0.3 * self.z + 0.74 * rng.standard_normal(self.n)
        return np.exp(np.log(self.p.monthly_income) + 0.6 * x / 1.0)

    @cached_property
    def industry(self) -> tuple[np.ndarray, np.ndarray]:
        """(category index, log-size offset) of the product's industry field, or zeros."""
        plan = self.model.industry_plan
        if plan is None:
            return np.zeros(self.n, dtype=np.int64), np.zeros(self.n)
        rng = self.stream("field:" + plan.name)
        w = np.array(plan.params["weights"])
        idx = rng.choice(len(w), self.n, p=w / w.sum())
        return idx, np.array(plan.params["size"])[idx]

    @cached_property
    def annual_sales(self) -> np.ndarray:
        rng = self.stream("fact:sales")
        x = 0.85 * self.size + 0.2 * self.z + 0.49 * rng.standard_normal(self.n)
        return np.exp(np.log(self.p.annual_sales) + self.industry[1] + 1.0 * x)

    @cached_property
    def debt_to_scale(self) -> np.ndarray:
        rng = self.stream("fact:debt")
        return np.exp(np.log(0.22) - 0.35 * mix(self.z, 0.6, rng) * 1.5 + 0.6 * rng.standard_normal(self.n))

    @property
    def annual_scale(self) -> np.ndarray:
        """Yearly money the applicant turns over: sales for a business product, income otherwise."""
        return self.annual_sales if self.model.has_sales else self.monthly_income * 12

    @property
    def annual_scale_median(self) -> float:
        return self.p.annual_sales if self.model.has_sales else self.p.monthly_income * 12
