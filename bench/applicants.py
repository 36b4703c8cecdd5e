"""Edge-heavy tax-SME applicants for the benchmark's agreement checks, as Arrow tables (numpy, seeded).

The timed populations come from validation/sample_data.py; these add the values where implementations
disagree: about 3% of each numeric field is set exactly on a cut-off that some rule, segment, trigger,
adjustment or scorecard bin of the spec compares that field with. Every value lies inside the data
dictionary's range and optional fields are null at set rates. The other draws are rough tax SME shapes;
fields they do not know fall back to a uniform draw within the field's range.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from product_specs import CheckedSpec
from product_specs.sections import FieldType

__all__ = ["applicants_table", "cutoffs"]

BOUNDARY_SHARE = 0.03
_NULL_SHARE = {"bureau_score": 0.12, "total_debt": 0.25, "sales_growth": 0.18}
_SURNAMES = np.array(["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"])
_GIVEN = np.array(["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"])


def cutoffs(checked: CheckedSpec) -> dict[str, list[float]]:
    """field -> every number a rule compares it with or a scorecard bins it at (CheckedSpec.cutoffs)."""
    return {name: [float(v) for v in values] for name, values in checked.cutoffs().items()}


def _tuned(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Hand-tuned draws for the tax SME product (before clipping to the data dictionary)."""
    sales = np.round(np.exp(rng.normal(np.log(4e6), 1.1, n)), -2)
    firm_age = np.round(rng.gamma(2.5, 3.0, n), 1)
    overdue = rng.poisson(0.6, n)
    return {
        "requested_amount": np.round(np.exp(rng.uniform(np.log(1e4), np.log(3e6), n)), -4),
        "owner_age": np.round(rng.normal(42, 9, n)),
        "owner_share_ratio": np.round(rng.beta(3.0, 1.5, n), 2),
        "is_blacklisted": rng.random(n) < 0.01,
        "bureau_score": np.round(rng.normal(670, 60, n)),
        "overdue_count_24m": overdue,
        "max_dpd_24m": np.where(overdue > 0, np.round(rng.exponential(20, n)), 0),
        "credit_inquiries_3m": rng.poisson(1.8, n),
        "total_debt": np.round(sales * np.exp(rng.normal(-1.2, 1.0, n)), -2),
        "firm_age_years": firm_age,
        "annual_tax_sales": sales,
        "sales_growth": np.round(np.where(rng.random(n) < 0.015, rng.uniform(2, 4, n), rng.normal(0.1, 0.35, n)), 3),
        "years_filing": np.round(np.minimum(firm_age, rng.uniform(0, 12, n)) * 2) / 2,
        "tax_paid_12m": np.round(sales * rng.uniform(0.002, 0.06, n), 2),
        "zero_filing_months_12m": rng.poisson(0.5, n),
        "tax_arrears": rng.random(n) < 0.02,
        "device_shared_count": rng.poisson(0.3, n),
    }


_CATEGORY_WEIGHTS = {
    "channel": {"mobile_app": 35, "wechat_oa": 20, "mini_program": 20, "qr_code": 15, "h5": 10},
    "industry": {"manufacturing": 20, "wholesale_retail": 25, "construction": 10, "logistics": 8, "services": 15,
                 "technology": 8, "catering": 6, "agriculture": 3, "real_estate": 3, "quasi_financial": 2},
    "tax_grade": {"A": 30, "B": 40, "M": 10, "C": 15, "D": 5},
}


def applicants_table(checked: CheckedSpec, rows: int, seed: int = 20240601, start: int = 0) -> pa.Table:
    """`rows` applicants (ids start..start+rows-1) as an Arrow table with one column per declared field."""
    rng = np.random.default_rng([seed, start])
    n = rows
    tuned = _tuned(rng, n)
    cuts = cutoffs(checked)
    ids = np.arange(start, start + n)
    columns = {}
    for f in checked.spec.fields:
        if f.type == FieldType.STRING:
            columns[f.name] = _text(f.name, ids, rng)
            continue
        if f.type == FieldType.CATEGORY:
            weights = _CATEGORY_WEIGHTS.get(f.name, {})
            p = np.array([weights.get(c, 1) for c in f.categories], dtype=float)
            columns[f.name] = pa.array(np.array(f.categories)[rng.choice(len(f.categories), n, p=p / p.sum())])
            continue
        if f.type == FieldType.BOOLEAN:
            values = tuned.get(f.name, rng.random(n) < 0.05)
            columns[f.name] = pa.array(values.astype(bool))
            continue
        low = float(f.min) if f.min is not None else 0.0
        high = float(f.max) if f.max is not None else max(low, 0.0) + 1e6
        values = np.asarray(tuned[f.name] if f.name in tuned else rng.uniform(low, high, n), dtype=float)
        edge = [c for c in cuts.get(f.name, []) if low <= c <= high and (f.type != FieldType.INTEGER or c == int(c))]
        if edge:
            on_edge = rng.random(n) < BOUNDARY_SHARE
            values = np.where(on_edge, np.array(edge)[rng.integers(0, len(edge), n)], values)
        values = np.clip(values, low, high)
        mask = None if f.required else rng.random(n) < _NULL_SHARE.get(f.name, 0.1)
        if f.type == FieldType.INTEGER:
            columns[f.name] = pa.array(np.round(values).astype(np.int64), mask=mask)
        else:
            columns[f.name] = pa.array(values, mask=mask)
    return pa.table(columns)


def _text(name: str, ids: np.ndarray, rng: np.random.Generator) -> pa.Array:
    n = len(ids)
    if "name" in name:
        return pa.array(np.char.add(_SURNAMES[rng.integers(0, len(_SURNAMES), n)],
                                    _GIVEN[rng.integers(0, len(_GIVEN), n)]))
    if "phone" in name:
        digits = rng.integers(3_000_000_000, 9_999_999_999, n)
        return pa.array(np.char.add("1", digits.astype(str)))
    if "id_number" in name:
        digits = rng.integers(10**16, 10**17, n)
        return pa.array(np.char.add("3", digits.astype(str)))
    return pa.array(np.char.add("TAX-", np.char.zfill(ids.astype(str), 9)))
