"""How each field is drawn, by its role (meaning), from the latent factors of `Applicants`.

Every draw returns the raw values for one chunk and adds the field's effect (if any) to `pop.risk`,
the hidden log-odds of going bad.
"""

from __future__ import annotations

import re
import zlib
from statistics import NormalDist

import numpy as np

from validation.data.applicant_model import Applicants, FieldPlan, logit, mix, sigmoid

__all__ = ["draw_field", "ROLE_DRAWS"]

_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"))


def draw_field(plan: FieldPlan, pop: Applicants) -> tuple[np.ndarray, np.ndarray]:
    """Values (float or object array) and a null mask for one field, and its effect on `pop.risk`."""
    rng = pop.stream("field:" + plan.name)
    values = ROLE_DRAWS[plan.role](plan, pop, rng)
    nulls = _nulls(plan, pop, rng)
    return values, nulls


def _nulls(plan: FieldPlan, pop: Applicants, rng: np.random.Generator) -> np.ndarray:
    f = plan.field
    if f.required:
        return np.zeros(pop.n, dtype=bool)
    rate = 0.04 + 0.08 * (zlib.crc32(plan.name.encode()) % 100) / 100  # 4-12%, stable per field
    random = rng.random(pop.n) < rate
    source = getattr(f.source, "value", f.source)
    if plan.role in ("credit_score", "risk_score") and source == "bureau":
        return pop.thin | (rng.random(pop.n) < 0.01)
    if source == "bureau":
        return pop.thin | random
    if plan.role == "growth":
        history = pop.platform_years if re.search(r"gmv|platform", plan.name) else pop.filing_years
        return (history < 2) | (rng.random(pop.n) < 0.02)
    return random


# draws by role ------------------------------------------------------------------------------------------

def _row_id(plan, pop, rng):
    idx = np.arange(pop.start + 1, pop.start + pop.n + 1)
    return np.array([f"A{i:09d}" for i in idx], dtype=object)


def _id_number(plan, pop, rng):
    years = 2025 - np.clip(np.rint(pop.age), 18, 80)
    tail = rng.integers(0, 10000, pop.n)
    return np.array([f"990000{int(y)}****{t:04d}" for y, t in zip(years, tail, strict=True)], dtype=object)


def _phone(plan, pop, rng):
    tail = rng.integers(0, 10000, pop.n)
    mid = rng.integers(30, 90, pop.n)
    ring_tail = rng.integers(0, 10000, max(pop.ring_count, 1))
    shared = pop.in_ring & (pop.ring_kind >= 2)
    tail = np.where(shared, ring_tail[np.maximum(pop.ring_id, 0)], tail)
    mid = np.where(shared, 99, mid)
    return np.array([f"1{m}****{t:04d}" for m, t in zip(mid, tail, strict=True)], dtype=object)


def _device(plan, pop, rng):
    codes = rng.integers(0, 2**40, pop.n)
    ring_codes = rng.integers(0, 2**40, max(pop.ring_count, 1))
    shared = pop.in_ring & (pop.ring_kind != 2)
    codes = np.where(shared, ring_codes[np.maximum(pop.ring_id, 0)], codes)
    return np.array([f"DEV-{c:010x}" for c in codes], dtype=object)


def _person_name(plan, pop, rng):
    return np.char.add(_SURNAMES[rng.integers(0, len(_SURNAMES), pop.n)], "**").astype(object)


def _email(plan, pop, rng):
    return np.array([f"user{i:09d}@example.invalid" for i in range(pop.start + 1, pop.start + pop.n + 1)],
                    dtype=object)


def _address(plan, pop, rng):
    return np.array([f"示例市测试路{n}号" for n in rng.integers(1, 2000, pop.n)], dtype=object)


def _ip(plan, pop, rng):
    hosts = rng.integers(1, 255, pop.n)
    return np.array([f"192.0.2.{h}" for h in hosts], dtype=object)  # TEST-NET-1 (RFC 5737): never a real host


def _code(plan, pop, rng):
    prefix = re.sub(r"[^A-Z]", "", plan.name.upper())[:4] or "X"
    return np.array([f"{prefix}-{i:09d}" for i in range(pop.start + 1, pop.start + pop.n + 1)], dtype=object)


def _bad_flag(plan, pop, rng):
    q = plan.params
    p = sigmoid(logit(q["share"]) - 0.9 * mix(pop.z, 0.6, rng))
    if q["ring"]:
        p = np.where(pop.in_ring, np.maximum(p, 0.4), p)
    value = rng.random(pop.n) < p
    pop.risk += q["effect"] * value
    return value


def _good_flag(plan, pop, rng):
    q = plan.params
    value = rng.random(pop.n) < sigmoid(logit(q["share"]) + 0.5 * mix(pop.z, 0.5, rng))
    pop.risk += q["effect"] * value
    return value


def _neutral_flag(plan, pop, rng):
    return rng.random(pop.n) < plan.params["share"]


def _choose(rng, n, logits: np.ndarray) -> np.ndarray:
    """One category per row from per-row logits (Gumbel-max trick)."""
    return np.argmax(logits + rng.gumbel(size=(n, logits.shape[-1])), axis=1)


def _vocabulary(plan, pop, rng):
    q = plan.params
    cats = np.array(plan.field.categories, dtype=object)
    w = np.log(np.array(q["weights"]) / sum(q["weights"]))
    effects = np.array(q["effects"])
    logits = w[None, :] - q["loading"] * pop.z[:, None] * effects[None, :]
    if plan.name == pop.model.channel_field:
        logits = logits + 0.8 * pop.in_ring[:, None] * np.maximum(effects, 0)[None, :]
    idx = _choose(rng, pop.n, logits)
    pop.risk += effects[idx]
    return cats[idx]


def _industry_draw(plan, pop, rng):
    cats = np.array(plan.field.categories, dtype=object)
    effects = np.array(plan.params["effects"])
    if plan is pop.model.industry_plan:
        idx = pop.industry[0]
    else:
        w = np.array(plan.params["weights"])
        idx = rng.choice(len(w), pop.n, p=w / w.sum())
    pop.risk += effects[idx]
    return cats[idx]


def _grade(plan, pop, rng):
    cats = np.array(plan.field.categories, dtype=object)
    ranks = np.array(plan.params["ranks"])
    new = plan.params["new"]
    levels = int(ranks.max()) + 1 if new is None else len(set(r for c, r in zip(cats, ranks, strict=True) if c != new))
    shares = np.array([0.36, 0.42, 0.15, 0.05, 0.02][:levels] if levels <= 5 else [0.7 ** i for i in range(levels)])
    cuts = np.cumsum(shares / shares.sum())[:-1]
    thresholds = np.array([NormalDist().inv_cdf(c) for c in cuts])
    rank = np.searchsorted(thresholds, -mix(pop.z, 0.6, rng))
    by_rank = {int(r): i for i, (c, r) in enumerate(zip(cats, ranks, strict=True)) if c != new}
    idx = np.array([by_rank.get(r, 0) for r in range(levels)])[rank]
    risk = 0.25 * (rank - (levels - 1) / 2)
    if new is not None:
        young = pop.filing_years < 2
        is_new = (young & (rng.random(pop.n) < 0.75)) | (rng.random(pop.n) < 0.01)
        idx = np.where(is_new, list(cats).index(new), idx)
        risk = np.where(is_new, 0.3, risk)
    pop.risk += risk
    return cats[idx]


def _scaled(plan, unit: np.ndarray) -> np.ndarray:
    """Map values in 0..1 into the field's range."""
    low = plan.low if plan.low is not None else 0.0
    high = plan.high if plan.high is not None else low + 1.0
    return low + (high - low) * unit


def _credit_score(plan, pop, rng):
    return _scaled(plan, sigmoid(0.55 + 0.75 * mix(pop.z, 0.8, rng)))


def _risk_score(plan, pop, rng):
    return _scaled(plan, sigmoid(-1.0 - 0.9 * mix(pop.z, 0.6, rng)))


def _age(plan, pop, rng):
    return pop.age


def _shared_count(plan, pop, rng):
    name = plan.name
    if re.search(r"phone|mobile|contact|tel", name):
        ring, base = pop.ring_kind >= 2, [0.975, 0.02, 0.004, 0.001]
    elif re.search(r"address|addr", name):
        ring, base = pop.ring_kind == 3, [0.94, 0.045, 0.01, 0.005]
    elif re.search(r"network|links|associat", name):
        ring, base = pop.in_ring, [0.93, 0.05, 0.015, 0.005]
    else:
        ring, base = (pop.ring_kind == 1) | (pop.ring_kind == 3), [0.972, 0.022, 0.005, 0.001]
    count = rng.choice(len(base), pop.n, p=base).astype(float)
    own = 1.0 if (plan.low or 0) >= 1 else 0.0  # a range starting at 1 counts the applicant too
    members = pop.ring_size - 1 + own
    return np.where(pop.in_ring & ring, np.maximum(count + own, members), count + own)


def _max_dpd(plan, pop, rng):
    return pop.max_dpd.astype(float)


def _overdue_count(plan, pop, rng):
    return pop.overdue_count.astype(float)


def _inquiries(plan, pop, rng):
    lam = np.exp(0.15 - 0.45 * mix(pop.z, 0.5, rng)) * np.where(pop.in_ring, 2.5, 1.0)
    return rng.poisson(lam).astype(float)


def _adverse_count(plan, pop, rng):
    value = rng.poisson(np.exp(-3.0 - 0.8 * mix(pop.z, 0.5, rng))).astype(float)
    pop.risk += 0.3 * np.minimum(value, 3)
    return value


def _zero_filing(plan, pop, rng):
    return rng.poisson(np.exp(-2.0 - 0.9 * mix(pop.z, 0.5, rng))).astype(float)


def _years(plan, years: np.ndarray) -> np.ndarray:
    months = re.search(r"month", plan.name) or (plan.field.unit or "").lower().startswith("month")
    return np.round(years * 12) if months else np.round(years, 1)


def _filing_years(plan, pop, rng):
    pop.risk += 0.4 * (pop.filing_years < 2)
    return _years(plan, pop.filing_years)


def _firm_age(plan, pop, rng):
    return _years(plan, pop.firm_age)


def _platform_tenure(plan, pop, rng):
    pop.risk += 0.3 * (pop.platform_years < 1)
    return _years(plan, pop.platform_years)


def _network_tenure(plan, pop, rng):
    years = np.exp(np.log(5.0) + 1.0 * np.clip(mix(pop.maturity, 0.5, rng), -3.5, 2.5))
    years = np.where(pop.in_ring, rng.uniform(0.05, 1.0, pop.n), years)
    return _years(plan, years)


def _tenure(plan, pop, rng):
    return _years(plan, np.exp(np.log(4.0) + 0.8 * np.clip(mix(pop.maturity, 0.7, rng), -3.5, 3.2)))


def _income(plan, pop, rng):
    monthly = pop.monthly_income
    return np.round(monthly if re.search(r"month", plan.name) else monthly * 12, 2)


def _sales(plan, pop, rng):
    annual = pop.annual_sales
    if re.search(r"gmv", plan.name):
        annual = annual * np.exp(0.3 * rng.standard_normal(pop.n) - 0.4)
    return np.round(annual / 12 if re.search(r"month", plan.name) else annual, 2)


def _tax_paid(plan, pop, rng):
    burden = np.exp(np.log(0.03) + 0.45 * rng.standard_normal(pop.n))
    odd = rng.random(pop.n) < 0.015
    burden = np.where(odd, rng.uniform(0.001, 0.006, pop.n), burden)
    pop.risk += 0.5 * odd
    return np.round(pop.annual_sales * burden, 2)


def _debt_payment(plan, pop, rng):
    dti = sigmoid(logit(0.2) - 0.6 * mix(pop.z, 0.6, rng) + 0.6 * rng.standard_normal(pop.n))
    pop.risk += 1.5 * np.maximum(dti - 0.5, 0)
    return np.round(pop.monthly_income * dti, 2)


def _debt_amount(plan, pop, rng):
    ratio = pop.debt_to_scale
    pop.risk += 0.6 * np.minimum(np.maximum(ratio - 1, 0), 2)
    return np.round(pop.annual_scale * ratio, 2)


def _deposits(plan, pop, rng):
    months = np.exp(np.log(2.0) + 0.5 * mix(pop.z, 0.4, rng) + 0.8 * rng.standard_normal(pop.n))
    return np.round(pop.monthly_income * months, 2)


def _ownership(plan, pop, rng):
    share = sigmoid(1.2 + 0.9 * rng.standard_normal(pop.n))
    minority = rng.random(pop.n) < 0.015
    return np.round(_scaled(plan, np.where(minority, rng.uniform(0.05, 0.35, pop.n), share)), 4)


def _bad_ratio(plan, pop, rng):
    x = mix(pop.z, 0.6, rng)
    if (plan.high or 1) <= 1.5:
        value = sigmoid(logit(0.3) - 0.6 * x + 0.6 * rng.standard_normal(pop.n)) * (plan.high or 1)
    else:
        value = np.exp(np.log(0.3) - 0.45 * x + 0.45 * rng.standard_normal(pop.n))
    pop.risk += 0.8 * np.minimum(np.maximum(value - 0.8, 0), 2)
    return np.round(value, 4)


def _small_bad_rate(plan, pop, rng):
    value = sigmoid(logit(0.04) - 0.4 * mix(pop.z, 0.5, rng) + 0.7 * rng.standard_normal(pop.n))
    pop.risk += 3.0 * np.maximum(value - 0.15, 0)
    return np.round(_scaled(plan, value), 4)


def _growth(plan, pop, rng):
    value = 0.08 + 0.12 * mix(pop.z, 0.4, rng) + 0.25 * rng.standard_t(5, pop.n)
    spike = rng.random(pop.n) < 0.008
    value = np.where(spike, rng.uniform(1.0, 4.0, pop.n), value)
    pop.risk += 0.4 * (value < -0.3) + 0.3 * spike
    return np.round(np.maximum(value, -0.95), 4)


def _requested(plan, pop, rng):
    p, (lim_lo, lim_hi) = pop.p, pop.model.limits
    low = max(plan.low if plan.low is not None else 0.0, lim_lo if lim_lo <= (plan.high or lim_hi) else 0.0)
    high = min(plan.high if plan.high is not None else lim_hi, max(lim_hi, low))
    median = float(np.clip(p.requested, low, high))
    scale = np.log(pop.annual_scale) - np.log(pop.annual_scale_median)
    amount = np.exp(np.log(median) + 0.6 * scale + 0.45 * rng.standard_normal(pop.n))
    step = 1000.0 if high >= 10000 else 100.0
    return np.clip(np.round(amount / step) * step, low, high)


def _count(plan, pop, rng):
    return rng.poisson(0.8, pop.n).astype(float)


def _generic(plan, pop, rng):
    if plan.high is None and plan.low is not None:
        return plan.low + np.round(np.exp(rng.normal(3, 1, pop.n)), 2)
    return np.round(_scaled(plan, rng.beta(2, 3, pop.n)), 2)


ROLE_DRAWS = {
    "row_id": _row_id, "id_number": _id_number, "phone": _phone, "device": _device, "person_name": _person_name,
    "email": _email, "address": _address, "ip": _ip, "code": _code,
    "bad_flag": _bad_flag, "good_flag": _good_flag, "neutral_flag": _neutral_flag,
    "vocabulary": _vocabulary, "industry": _industry_draw, "grade": _grade,
    "requested": _requested, "shared_count": _shared_count, "max_dpd": _max_dpd, "overdue_count": _overdue_count,
    "inquiries": _inquiries, "adverse_count": _adverse_count, "zero_filing": _zero_filing,
    "risk_score": _risk_score, "credit_score": _credit_score, "age": _age, "filing_years": _filing_years,
    "platform_tenure": _platform_tenure, "network_tenure": _network_tenure, "firm_age": _firm_age,
    "tax_paid": _tax_paid, "debt_payment": _debt_payment, "ownership": _ownership, "bad_ratio": _bad_ratio,
    "small_bad_rate": _small_bad_rate, "growth": _growth, "income": _income, "sales": _sales,
    "debt_amount": _debt_amount, "deposits": _deposits, "tenure": _tenure, "count": _count, "generic": _generic,
}
