"""Generated applicants for any CheckedSpec: within the data dictionary, with nulls, and on every cut-off.

Not a test: the differential, random-spec and large-table tests draw their applicants from here.

Every numeric literal a rule compares with a field (`x >= 6`, `x between 1 and 7`, `x in (3, 5)`), every
scorecard bin bound, every limit bound (channel caps, min, max) for the requested amount and the field's
own min and max are collected per field. Each cut-off is fed as itself and with its neighbours (+-1 for
integers; +-0.01, +-1e-9 relative and the adjacent doubles for numbers), clamped to the field's range.
Ratio features (`coalesce(a, 0) / b`) get rows that put `a / b` on their own cut-offs. Everything else is
uniform: numbers within the range (linear or log scale), categories and booleans, nulls for optional
fields. Independent values hit some knock-out rule almost always, so half of the rows start from one of
the spec's example applicants and re-draw a few fields: each cut-off is then crossed on its own, and
approvals (limits, prices) are common. The same seed gives the same applicants.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from product_specs import CheckedSpec
from product_specs.rules import Binary, Call, CheckedExpr, Name, Node
from product_specs.sections import FieldType

__all__ = ["NULL_RATE", "applicants", "checked_rules", "cut_offs", "field_pools", "ratio_features"]

NULL_RATE = 0.15  # share of nulls in an optional field
BOUNDARY_RATE = 0.45  # share of values taken from the cut-off pool
RATIO_RATE = 0.15  # share of rows that put one ratio feature on one of its cut-offs
MUTANT_RATE = 0.6  # share of rows made from an example applicant with a few fields re-drawn
_UNBOUNDED = Decimal(1_000_000)  # range used on a side the data dictionary leaves open


def checked_rules(checked: CheckedSpec) -> list[CheckedExpr]:
    """Every typed rule and formula of the spec that a decision evaluates."""
    return [ref.expr for ref in checked.rules() if ref.section != "post_loan"]


def cut_offs(checked: CheckedSpec) -> dict[str, list[Decimal]]:
    """Per field or derived feature, every number it is compared with or binned at (sorted)."""
    return {name: list(values) for name, values in checked.cutoffs().items()}


@dataclass(frozen=True)
class Ratio:
    """A derived feature `numerator / denominator` over two numeric fields (coalesce allowed on top)."""

    feature: str
    numerator: str
    denominator: str
    cut_offs: tuple[Decimal, ...]


def _field_name(node: Node) -> str | None:
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call) and node.name == "coalesce" and isinstance(node.args[0], Name):
        return node.args[0].name
    return None


def ratio_features(checked: CheckedSpec) -> list[Ratio]:
    """Derived features that are a ratio of two fields and have cut-offs."""
    fields = checked.spec.field_map()
    cuts = cut_offs(checked)
    out = []
    for name, expr in checked.derived:
        node = expr.node
        if not (isinstance(node, Binary) and node.op == "/" and name in cuts):
            continue
        top, bottom = _field_name(node.left), _field_name(node.right)
        if top in fields and bottom in fields:
            out.append(Ratio(name, top, bottom, tuple(cuts[name])))
    return out


def _bounds(field) -> tuple[float, float]:
    low = field.min if field.min is not None else (field.max - _UNBOUNDED if field.max is not None else -_UNBOUNDED)
    high = field.max if field.max is not None else low + 2 * _UNBOUNDED
    return float(low), float(high)


def _neighbours(field, value: Decimal) -> list[float]:
    low, high = _bounds(field)
    if field.type is FieldType.INTEGER:
        if value == value.to_integral_value():
            centre = int(value)
            candidates = [centre - 1, centre, centre + 1]
        else:
            candidates = [math.floor(value), math.ceil(value)]
        return [c for c in candidates if low <= c <= high]
    x = float(value)
    candidates = [x, x - 0.01, x + 0.01, x * (1 - 1e-9), x * (1 + 1e-9), math.nextafter(x, -math.inf),
                  math.nextafter(x, math.inf)]
    return [min(max(c, low), high) for c in candidates]


def field_pools(checked: CheckedSpec) -> dict[str, list]:
    """Per numeric field, the boundary values to feed: cut-offs with neighbours and the range ends.

    A field's pool also holds the cut-offs of the other numeric fields that fit its range, so two fields
    are sometimes equal (a ratio of exactly 1, a difference of exactly 0).
    """
    cuts = cut_offs(checked)
    numeric = [f for f in checked.spec.fields if f.type in (FieldType.INTEGER, FieldType.NUMBER)]
    shared = sorted({v for f in numeric for v in cuts.get(f.name, ())})
    pools = {}
    for f in numeric:
        low, high = _bounds(f)
        values = {low, high}
        for cut in cuts.get(f.name, ()):
            values.update(_neighbours(f, cut))
        values.update(float(v) for v in shared if low <= v <= high and (f.type is FieldType.NUMBER or v % 1 == 0))
        pools[f.name] = sorted(values)
    return pools


NETWORK_KEYS = 5_000  # distinct values of a network key: about 0.4 other applicants per value in 2,000


class _Generator:
    def __init__(self, checked: CheckedSpec, seed: int):
        self.spec = checked.spec
        self.rng = random.Random(seed)
        self.pools = field_pools(checked)
        self.ratios = ratio_features(checked)
        self.fields = checked.spec.field_map()
        self.bases = [self._base(t.applicant) for t in checked.spec.tests]
        from validation.data.network import key_fields

        # keys of network features (devices, phones, addresses): a few applicants share each value, so every
        # engine computes small groups and counts (a test applicant copied many times would share its phone
        # with all its copies, past the count's range)
        self.network_keys = [k for k in key_fields(checked) if self.fields[k].type is FieldType.STRING]

    def _base(self, example: dict) -> dict:
        row = {}
        for f in self.spec.fields:
            value = example.get(f.name)
            if isinstance(value, Decimal):
                value = int(value) if f.type is FieldType.INTEGER else float(value)
            row[f.name] = value if value is not None or not f.required else self.value(f)
        return row

    def number(self, f):
        rng = self.rng
        if f.name in self.pools and rng.random() < BOUNDARY_RATE:
            value = rng.choice(self.pools[f.name])
        else:
            low, high = _bounds(f)
            if low >= 0 and high > 1000 and rng.random() < 0.5:  # amounts: every order of magnitude
                value = min(high, max(low, math.exp(rng.uniform(math.log(max(low, 1.0)), math.log(high)))))
            else:
                value = rng.uniform(low, high)
            if f.type is FieldType.NUMBER and rng.random() < 0.5:
                value = min(high, max(low, round(value, rng.choice((0, 2)))))
        if f.type is FieldType.INTEGER:
            low, high = _bounds(f)
            return int(min(max(round(value), math.ceil(low)), math.floor(high)))
        if value == int(value) and rng.random() < 0.3:
            return int(value)  # JSON gives whole amounts as integers
        return float(value)

    def value(self, f):
        rng = self.rng
        if not f.required and rng.random() < NULL_RATE:
            return None
        if f.type in (FieldType.INTEGER, FieldType.NUMBER):
            return self.number(f)
        if f.type is FieldType.CATEGORY:
            return rng.choice(f.categories)
        if f.type is FieldType.BOOLEAN:
            return rng.random() < 0.5
        return f"{f.name}-{rng.randrange(1_000_000):06d}"

    def ratio(self, row: dict) -> None:
        """Put one ratio feature exactly on (or next to) one of its cut-offs."""
        r = self.rng.choice(self.ratios)
        bottom = row.get(r.denominator)
        if not bottom:
            return
        cut = float(self.rng.choice(r.cut_offs))
        target = self.rng.choice((cut, math.nextafter(cut, -math.inf), math.nextafter(cut, math.inf)))
        f = self.fields[r.numerator]
        low, high = _bounds(f)
        top = target * bottom
        if f.type is FieldType.INTEGER:
            top = round(top)
        if low <= top <= high:
            row[r.numerator] = top

    def applicant(self) -> dict:
        rng = self.rng
        if self.bases and rng.random() < MUTANT_RATE:
            row = dict(rng.choice(self.bases))
            for f in rng.sample(self.spec.fields, min(len(self.spec.fields), rng.randint(1, 3))):
                row[f.name] = self.value(f)
        else:
            row = {f.name: self.value(f) for f in self.spec.fields}
        if self.ratios and self.rng.random() < RATIO_RATE:
            self.ratio(row)
        for key in self.network_keys:
            row[key] = f"{key}-{rng.randrange(NETWORK_KEYS)}"
        return row


def applicants(checked: CheckedSpec, count: int, seed: int = 0) -> list[dict]:
    """`count` valid applicants for `checked`, the same for the same seed."""
    generator = _Generator(checked, seed)
    return [generator.applicant() for _ in range(count)]
