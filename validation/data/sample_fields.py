"""Draw one field of a chunk from its plan: the latent score, the value at that score, fraud rings, the
relations that bound it, where it applies and where it is empty.

Order inside a field: applies (its condition over earlier fields) -> latent score (risk, parent scores,
own noise; category shifts) -> value (marginal; times `ratio_to`; rounded to the step, within the range)
-> fraud rings -> relations (rows outside a bound are drawn again, then held at the bound) -> `otherwise`
where it does not apply, then empty values.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from product_specs.sections import TextFormat
from validation.data.applicant_model import Applicants, Column
from validation.data.conditions import Evaluator
from validation.data.marginals import normal_cdf, normal_score
from validation.data.sample_plan import FieldPlan, lean_intercepts

__all__ = ["draw_field", "on_grid", "REDRAWS"]

REDRAWS = 8  # rows outside a relation's bound are drawn again this many times before being held at it
_MIN_STANDARDISED = 500  # fewer applicants than this a field applies to: their scores are taken as they are
_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"))
_PHONE_SPACE = 600_000  # visible digits of a masked phone: 2 after the leading 1 (30-89) and the last 4


def draw_field(plan: FieldPlan, pop: Applicants, rules: Evaluator) -> Column:
    """Draw `plan`'s field for every row of `pop` (and record it in `pop.columns`)."""
    applies = _applies(plan, pop, rules)
    if plan.kind == "text":
        column = _text(plan, pop)
    elif plan.kind == "category":
        column = _category(plan, pop, applies)
    else:
        column = _latent_field(plan, pop, rules, applies)
    _finish(plan, pop, column, applies)
    pop.columns[plan.name] = column
    return column


def _applies(plan: FieldPlan, pop: Applicants, rules: Evaluator) -> np.ndarray:
    applies = np.ones(pop.n, dtype=bool)
    if plan.applies_when is not None:
        applies = rules.holds(plan.applies_when, pop.columns, pop.model.fields, pop.n)
    if plan.ratio_to is not None:
        applies &= ~pop.columns[plan.ratio_to].nulls
    return applies


def _finish(plan: FieldPlan, pop: Applicants, column: Column, applies: np.ndarray) -> None:
    """`otherwise` (or empty) where the field does not apply, then the missing share among the rest."""
    nulls = ~applies
    if plan.otherwise is not None:
        if isinstance(column.values, pa.Array):
            column.values = column.values.to_numpy(zero_copy_only=False)
        column.values = column.values.copy()
        column.values[~applies] = plan.otherwise
        nulls = np.zeros(pop.n, dtype=bool)
    if plan.missing:
        nulls = nulls | (applies & (pop.stream("missing:" + plan.name).random(pop.n) < plan.missing))
    column.nulls = nulls


# numbers and booleans: a latent score ---------------------------------------------------------------------

def _score(plan: FieldPlan, pop: Applicants, noise: np.ndarray) -> np.ndarray:
    u = plan.noise * noise
    for (name, _), coef in zip(plan.parents, plan.coefs, strict=True):
        u = u + coef * (pop.risk if name == "risk" else pop.columns[name].score)
    if not plan.shifts:
        return u
    u = plan.shift_scale * u
    for name, shift in plan.shifts:
        parent = pop.model.by_name[name]
        values = np.array([shift.get(c, 0.0) for c in parent.categories])
        centre = float(values @ parent.shares)
        column = pop.columns[name]
        index = {c: i for i, c in enumerate(parent.categories)}
        idx = np.array([index.get(v, -1) for v in column.values])
        u = u + np.where((idx >= 0) & ~column.nulls, values[np.maximum(idx, 0)] - centre, 0.0)
    return u


def _normal_score(plan: FieldPlan, pop: Applicants, u: np.ndarray) -> np.ndarray:
    """The score's standard normal equivalent (a shifted score is a mixture of normals)."""
    if not plan.shifts:
        return u
    atoms, weights = pop.model.shift_atoms(plan)
    cdf = normal_cdf((u[:, None] - atoms[None, :]) / plan.shift_scale) @ weights
    return normal_score(cdf)


def _value(plan: FieldPlan, pop: Applicants, z: np.ndarray) -> np.ndarray:
    """The value at standard normal score `z`."""
    if plan.kind == "boolean":
        return z > _threshold(plan.share)
    x = plan.marginal.value(z)
    if plan.ratio_to is not None:
        base = pop.columns[plan.ratio_to]
        x = x * np.where(base.nulls, 0.0, np.asarray(base.values, dtype=float))
    return on_grid(plan, x)


def _threshold(share: float) -> float:
    if share <= 0:
        return math.inf
    if share >= 1:
        return -math.inf
    return float(normal_score(np.array([1 - share]))[0])


def _decimals(step: float) -> int:
    text = f"{step:.12f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _round(plan: FieldPlan, x: np.ndarray) -> np.ndarray:
    step = plan.step
    return np.round(np.round(x / step) * step, _decimals(step))


def _grid_range(plan: FieldPlan) -> tuple[float | None, float | None]:
    f, step = plan.field, plan.step
    low = None if f.min is None else math.ceil(float(f.min) / step - 1e-9) * step
    high = None if f.max is None else math.floor(float(f.max) / step + 1e-9) * step
    return low, high


def on_grid(plan: FieldPlan, x: np.ndarray) -> np.ndarray:
    low, high = _grid_range(plan)
    x = _round(plan, x)
    return np.clip(x, low, high) if low is not None or high is not None else x


def _latent_field(plan: FieldPlan, pop: Applicants, rules: Evaluator, applies: np.ndarray) -> Column:
    """A number or a flag from its standard normal score (kept in the column for the fields after it)."""
    noise = pop.stream("field:" + plan.name).standard_normal(pop.n)
    centre, spread = _among(plan, _normal_score(plan, pop, _score(plan, pop, noise)), applies)

    def score(noise: np.ndarray) -> np.ndarray:
        return (_normal_score(plan, pop, _score(plan, pop, noise)) - centre) / spread

    u = score(noise)
    shown = pop.shown_by(plan.in_rings)
    values = _rings(plan, pop, _value(plan, pop, u), shown)
    if plan.bounds:
        values, u = _keep_relations(plan, pop, rules, applies, noise, values, u, shown, score)
    return Column(values, np.zeros(pop.n, dtype=bool), u)


def _among(plan: FieldPlan, z: np.ndarray, applies: np.ndarray) -> tuple[float, float]:
    """Centre and spread of the scores of the rows a field applies to.

    Where a field applies only to some applicants (a condition, or an empty `ratio_to`) and its score is
    linked to risk or to other fields, those applicants' scores need not be standard normal (members of
    a cooperative are safer, so a flag linked to risk is more often true among them): standardising them
    keeps the declared quantiles and shares true among the applicants the field applies to.
    """
    linked = bool(plan.parents or plan.shifts)
    if not linked or applies.all() or applies.sum() < _MIN_STANDARDISED:
        return 0.0, 1.0
    among = z[applies]
    return float(among.mean()), float(max(among.std(), 0.2))


def _rings(plan: FieldPlan, pop: Applicants, values: np.ndarray, shown: np.ndarray) -> np.ndarray:
    if not shown.any():
        return values
    if plan.kind == "boolean":
        return values | shown
    others = (pop.ring_size - 1).astype(float)
    low, high = _grid_range(plan)
    return np.where(shown, np.clip(np.maximum(values, others), low, high), values)


def _limits(plan: FieldPlan, pop: Applicants, rules: Evaluator) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the smallest and largest value on the field's grid the relations allow (nan: none)."""
    lower = np.full(pop.n, -np.inf)
    upper = np.full(pop.n, np.inf)
    step = plan.step
    for bound in plan.bounds:
        b, nulls = rules.values(bound.expr, pop.columns, pop.model.fields, pop.n)
        b = np.where(nulls, np.nan, b)
        with np.errstate(invalid="ignore"):
            if bound.op in ("<", "<=", "="):
                top = np.floor(b / step + 1e-9) * step
                top = np.where(top > b, top - step, top)
                if bound.op == "<":
                    top = np.where(top >= b, top - step, top)
                top = b if bound.op == "=" else np.round(top, _decimals(step))
                upper = np.fmin(upper, np.where(np.isnan(b), np.inf, top))
            if bound.op in (">", ">=", "="):
                bottom = np.ceil(b / step - 1e-9) * step
                bottom = np.where(bottom < b, bottom + step, bottom)
                if bound.op == ">":
                    bottom = np.where(bottom <= b, bottom + step, bottom)
                bottom = b if bound.op == "=" else np.round(bottom, _decimals(step))
                lower = np.fmax(lower, np.where(np.isnan(b), -np.inf, bottom))
    return lower, upper


def _keep_relations(plan, pop, rules, applies, noise, values, u, shown, score):
    lower, upper = _limits(plan, pop, rules)
    outside = applies & ((values < lower) | (values > upper))
    for attempt in range(REDRAWS):
        if not outside.any():
            break
        fresh = pop.stream(f"field:{plan.name}:again:{attempt}").standard_normal(pop.n)
        noise = np.where(outside, fresh, noise)
        u_new = score(noise)
        redrawn = _rings(plan, pop, _value(plan, pop, u_new), shown)
        values = np.where(outside, redrawn, values)
        u = np.where(outside, u_new, u)
        outside = applies & ((values < lower) | (values > upper))
    if outside.any():
        low, high = _grid_range(plan)
        held = np.clip(np.clip(values, lower, upper), low, high)
        values = np.where(outside, held, values)
    return values, u


# categories ----------------------------------------------------------------------------------------------

def _category(plan: FieldPlan, pop: Applicants, applies: np.ndarray) -> Column:
    rng = pop.stream("field:" + plan.name)
    cats = np.array(plan.categories, dtype=object)
    u = rng.random(pop.n)
    if plan.category_risk.any():
        alphas = plan.alphas
        if not applies.all() and applies.sum() >= _MIN_STANDARDISED:  # shares hold where the field applies
            alphas = lean_intercepts(plan.shares, plan.category_risk, pop.risk[applies][:_MIN_STANDARDISED * 4])
        weights = np.exp(plan.category_risk[None, :] * pop.risk[:, None]) * np.exp(alphas)[None, :]
        cumulative = np.cumsum(weights, axis=1)
        idx = (cumulative < (u * cumulative[:, -1])[:, None]).sum(axis=1)
    else:
        idx = np.searchsorted(np.cumsum(plan.shares), u * plan.shares.sum(), side="right")
    return Column(cats[np.minimum(idx, len(cats) - 1)], np.zeros(pop.n, dtype=bool))


# free text -----------------------------------------------------------------------------------------------

# share of applicants who, outside any fraud ring, give another applicant's value: families on one device,
# businesses in one building (the honest links a relationship network must not mistake for rings)
_SHARED_BY_CHANCE = {TextFormat.ADDRESS: 0.02, TextFormat.DEVICE_ID: 0.004}


def _text(plan: FieldPlan, pop: Applicants) -> Column:
    """Values unique per applicant across the whole population (a row-number code mixed by a per-seed
    offset), except where a fraud ring shares its first member's value or an honest applicant shares
    another's (_SHARED_BY_CHANCE), so equal values are links, never coincidences."""
    rng = pop.stream("field:" + plan.name)
    rows = np.arange(pop.start + 1, pop.start + pop.n + 1, dtype=np.int64)
    chance = _SHARED_BY_CHANCE.get(plan.text_format, 0.0)
    if chance and pop.n > 1:
        sharing = (rng.random(pop.n) < chance) & ~pop.in_ring
        rows = np.where(sharing, rows[rng.integers(0, pop.n, pop.n)], rows)
    shown = pop.shown_by(plan.in_rings)
    if shown.any():  # a ring shares its first member's value
        rows = np.where(shown, rows[pop.first_member()], rows)
    offset = int(np.random.default_rng([pop.seed, zlib.crc32(("text:" + plan.name).encode())]).integers(0, 2**31))
    values = _TEXT[plan.text_format](plan, rows, rng, offset)
    return Column(values, np.zeros(pop.n, dtype=bool))


def _str(numbers: np.ndarray, width: int = 0) -> pa.Array:
    text = pa.array(numbers).cast(pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _ids(plan, rows, rng, offset):
    return _join(plan.id_prefix, _str(rows, 9))


def _person_names(plan, rows, rng, offset):
    return _join(pa.array(_SURNAMES).take(pa.array(rng.integers(0, len(_SURNAMES), len(rows)))), "**")


def _id_numbers(plan, rows, rng, offset):
    return _join("990000", _str(1950 + (rows * 7 + offset) % 56), "****", _str((rows * 7919 + offset) % 10_000, 4))


def _phones(plan, rows, rng, offset):
    visible = (rows * 7919 + offset) % _PHONE_SPACE  # 7919 is prime to 600000: unique below that many rows
    return _join("1", _str(30 + visible // 10_000), "****", _str(visible % 10_000, 4))


def _emails(plan, rows, rng, offset):
    return _join("user", _str(rows, 9), "@example.invalid")


def _addresses(plan, rows, rng, offset):
    code = (rows * 7919 + offset) % 1_000_000_000  # 7919 is prime to 10**9: unique below that many rows
    return _join("示例市", _str(1 + code % 97), "区测试", _str(1 + code // 97 % 1000), "路",
                 _str(1 + code // 97_000), "号")


def _devices(plan, rows, rng, offset):
    codes = (rows * 0x9E3779B1 + offset) % (2**40)  # an odd multiplier: unique per row
    return _join("DEV-", _str(codes, 13))


def _ips(plan, rows, rng, offset):
    return _join("192.0.2.", _str(1 + (rows * 7 + offset) % 254))  # TEST-NET-1 (RFC 5737): never a real host


_TEXT = {
    TextFormat.ID: _ids, TextFormat.PERSON_NAME: _person_names, TextFormat.ID_NUMBER: _id_numbers,
    TextFormat.PHONE: _phones, TextFormat.EMAIL: _emails, TextFormat.ADDRESS: _addresses,
    TextFormat.DEVICE_ID: _devices, TextFormat.IP_ADDRESS: _ips,
}
