"""Checks of the sample-data declarations: each field's `distribution` and the `population` section.

Every key must fit the field's type, every number its range, every condition and relation must type-check
over fields (not derived features), and the links between fields must not go round in a circle.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..draws import NUMERIC, draw_order, relation_bounds, rule_names
from ..errors import RuleError
from ..rules import BOOLEAN, did_you_mean
from ..sections import Family, FieldType
from ..sections.fields import QUANTILE_KEY

__all__ = ["check"]

# which distribution keys each field type takes
_KEYS = {
    "family": NUMERIC, "median": NUMERIC, "quantiles": NUMERIC, "mean": NUMERIC, "step": NUMERIC,
    "ratio_to": NUMERIC, "share": (FieldType.BOOLEAN,), "shares": (FieldType.CATEGORY,),
    "risk_by_category": (FieldType.CATEGORY,), "format": (FieldType.STRING,),
    "risk_correlation": (*NUMERIC, FieldType.BOOLEAN), "depends_on": (*NUMERIC, FieldType.BOOLEAN),
    "in_rings": (*NUMERIC, FieldType.BOOLEAN, FieldType.STRING),
}


def check(ctx) -> None:
    """Check every field's `distribution` and the `population` section (ctx: the checks' shared state)."""
    spec = ctx.spec
    fields = spec.field_map()
    derived = {d.name for d in spec.derived}
    scope = {name: s for name, s in ctx.scope.items() if name in fields}
    for i, f in enumerate(spec.fields):
        if f.distribution is not None:
            _Field(ctx, f, i, fields, derived, scope).check()
    for i, f in enumerate(spec.post_loan.monitoring_fields):
        if f.distribution is not None:
            _Field(ctx, f, i, {f.name: f}, derived, {}, ("post_loan", "monitoring_fields")).monitoring()
    _relations(ctx, fields, derived, scope)
    order, cycle = draw_order(spec)
    if cycle:
        first = cycle[0]
        ctx.error("draw_order", ("fields", spec.fields.index(fields[first]), "distribution"),
                  f"fields[{first}].distribution", "fields are drawn from each other in a circle: "
                  + " -> ".join(cycle), "a field can only depend on fields drawn before it: remove one of these "
                  "links (depends_on, ratio_to, applies_when or a relation)")


class _Field:
    def __init__(self, ctx, f, index: int, fields, derived, scope, section: tuple[str, ...] = ("fields",)):
        self.ctx, self.f, self.d = ctx, f, f.distribution
        self.fields, self.derived, self.scope = fields, derived, scope
        self.loc = (*section, index, "distribution")
        self.path = f"{'.'.join(section)}[{f.name}].distribution"

    def refuse(self, key: str, message: str, hint: str = "", *more) -> None:
        """A finding at distribution.<key> (and deeper: an index, then an attribute)."""
        path = self.path + f".{key}" + "".join(f"[{m}]" if isinstance(m, int) else f".{m}" for m in more)
        self.ctx.error("distribution", (*self.loc, key, *more), path, message, hint)

    def check(self) -> None:
        f, d = self.f, self.d
        for key, types in _KEYS.items():
            value = getattr(d, key)
            if value not in (None, []) and f.type not in types:
                allowed = " or ".join(t.value for t in types)
                self.refuse(key, f"{key!r} is for {allowed} fields, not a {f.type.value} field",
                           "remove it, or change the field's type")
        if f.type in NUMERIC:
            self.numeric()
        elif f.type is FieldType.CATEGORY:
            self.categories()
        self.missing_and_condition()
        self.dependencies()
        if d.in_rings and f.type in NUMERIC and self.family() is not Family.COUNT:
            self.refuse("in_rings", "only a count, a boolean or a string field can show fraud rings",
                       "set family: count (the field then counts the ring's other members)")

    def monitoring(self) -> None:
        """A monitoring field's distribution: its values over the active loans' months and how they move
        with a loan's distress (`risk_correlation`, `risk_by_category`); no links to other fields."""
        d = self.d
        for key in ("depends_on", "ratio_to", "applies_when", "otherwise", "in_rings"):
            if getattr(d, key) not in (None, []):
                self.refuse(key, f"{key!r} is not available for a monitoring field",
                           "monitoring fields are drawn per loan and month from their own distribution and "
                           "the loan's distress: remove it")
        self.d = d = d.model_copy(update={"depends_on": [], "ratio_to": None, "applies_when": None,
                                          "otherwise": None, "in_rings": None})
        for key, types in _KEYS.items():
            value = getattr(d, key)
            if value not in (None, []) and self.f.type not in types:
                self.refuse(key, f"{key!r} is for {' or '.join(t.value for t in types)} fields, "
                                 f"not a {self.f.type.value} field", "remove it, or change the field's type")
        if self.f.type in NUMERIC:
            self.numeric()
        elif self.f.type is FieldType.CATEGORY:
            self.categories()
        if d.missing and self.f.required:
            self.refuse("missing", "a required field always has a value", "set required: false, or remove missing")

    # numeric ------------------------------------------------------------------------------------------
    def family(self) -> Family | None:
        d = self.d
        return d.family or (Family.COUNT if d.mean is not None else None)

    def knots(self) -> list[tuple[int, Decimal]]:
        d = self.d
        knots = {}
        for key, value in (d.quantiles or {}).items():
            if re.match(QUANTILE_KEY, key):
                knots[int(key[1:])] = value
            else:
                self.refuse("quantiles", f"{key!r} is not a share of applicants",
                            "write p1 to p99, e.g. {p5: 8, p50: 40, p95: 400}", key)
        if d.median is not None:
            if 50 in knots and knots[50] != d.median:
                self.refuse("median", f"median {d.median} differs from quantile p50 {knots[50]}",
                           "give the typical value once")
            knots[50] = d.median
        return sorted(knots.items())

    def numeric(self) -> None:
        f, d = self.f, self.d
        family = self.family()
        knots = self.knots()
        low, high = f.min, f.max
        if d.ratio_to is None:
            for p, value in knots:
                if (low is not None and value < low) or (high is not None and value > high):
                    self.refuse("quantiles" if p != 50 or d.median is None else "median",
                               f"p{p} = {value} is outside the field's range {_range(f)}",
                               "quantiles are values the field can take")
        for (p1, v1), (p2, v2) in zip(knots, knots[1:], strict=False):
            if v2 < v1:
                self.refuse("quantiles", f"p{p2} = {v2} is below p{p1} = {v1}",
                           "quantiles rise with the share of applicants")
        if d.mean is not None and family is not Family.COUNT:
            self.refuse("mean", "'mean' is for count fields", "give the median instead, or set family: count")
        if family is Family.COUNT:
            if f.type is not FieldType.INTEGER:
                self.refuse("family", "a count takes whole numbers", "make the field an integer")
            if any(v < 0 or v != int(v) for _, v in knots):
                self.refuse("quantiles", "quantiles of a count are whole numbers from 0")
        if family is Family.LOGNORMAL and (any(v <= 0 for _, v in knots)
                                           or (d.ratio_to is None and low is not None and low < 0)):
            self.refuse("family", "lognormal values lie above 0", "use family: normal for values that can be "
                       "negative, and give quantiles above 0")
        if family is Family.LOGITNORMAL:
            if d.ratio_to is None and (low is None or high is None):
                self.refuse("family", "a logitnormal field needs a min and a max", "give the field's range")
            elif d.ratio_to is None and any(v <= low or v >= high for _, v in knots):
                self.refuse("quantiles", f"logitnormal quantiles lie strictly inside {_range(f)}")
        if family is Family.UNIFORM and d.ratio_to is None and (low is None or high is None) and len(knots) < 2:
            self.refuse("family", "a uniform field needs a min and a max, or two quantiles")
        if d.step is not None and f.type is FieldType.INTEGER and d.step != int(d.step):
            self.refuse("step", f"an integer field's step is a whole number, not {d.step}")
        if d.ratio_to is not None:
            other = self.fields.get(d.ratio_to)
            if other is None or other.type not in NUMERIC or other.name == f.name:
                self.refuse("ratio_to", f"{d.ratio_to!r} is not another numeric field",
                           self._hint(d.ratio_to, numeric=True))
        if d.otherwise is not None and not isinstance(d.otherwise, bool) and isinstance(d.otherwise, Decimal):
            if (low is not None and d.otherwise < low) or (high is not None and d.otherwise > high):
                self.refuse("otherwise", f"{d.otherwise} is outside the field's range {_range(f)}")

    # categories ---------------------------------------------------------------------------------------
    def categories(self) -> None:
        f, d = self.f, self.d
        cats = list(f.categories or [])
        for key in ("shares", "risk_by_category"):
            for cat in getattr(d, key) or {}:
                if cat not in cats:
                    self.refuse(key, f"{f.name!r} has no category {cat!r}",
                               did_you_mean(cat, cats) or "categories: " + ", ".join(cats))
        if d.shares:
            total = sum(d.shares.values(), Decimal(0))
            unlisted = [c for c in cats if c not in d.shares]
            if total > 1 + Decimal("0.001"):
                self.refuse("shares", f"shares add up to {total}, more than 1", "shares are parts of 1")
            elif not unlisted and abs(total - 1) > Decimal("0.001"):
                self.refuse("shares", f"shares add up to {total}, not 1", "with every category listed they add up to 1")
            elif unlisted and total >= 1:
                self.ctx.warn("distribution", self.loc + ("shares",), self.path + ".shares",
                              "categories never drawn: " + ", ".join(unlisted),
                              "give them a share, or leave some of the total to them")

    # conditions ---------------------------------------------------------------------------------------
    def missing_and_condition(self) -> None:
        f, d = self.f, self.d
        if d.missing and f.required:
            self.refuse("missing", "a required field always has a value", "set required: false, or remove missing")
        if d.applies_when is not None:
            loc = self.loc + ("applies_when",)
            if self._derived_used(d.applies_when, "applies_when"):
                pass
            else:
                self.ctx.rule(d.applies_when, loc, self.path + ".applies_when", BOOLEAN, self.scope)
            if f.required and d.otherwise is None:
                self.refuse("otherwise", "a required field needs a value where it does not apply",
                           "set otherwise (e.g. 0), or make the field optional (required: false) so it is empty there")
        elif d.otherwise is not None:
            self.ctx.warn("distribution", self.loc + ("otherwise",), self.path + ".otherwise",
                          "otherwise is only used where applies_when is not true", "add applies_when or remove it")
        if d.otherwise is not None:
            self._otherwise_type()

    def _otherwise_type(self) -> None:
        f, value = self.f, self.d.otherwise
        ok = {FieldType.BOOLEAN: isinstance(value, bool),
              FieldType.CATEGORY: str(value) in (f.categories or []) and not isinstance(value, bool),
              FieldType.STRING: isinstance(value, str)}.get(f.type, isinstance(value, Decimal))
        if not ok:
            want = {FieldType.CATEGORY: "one of its categories: " + ", ".join(f.categories or [])}.get(
                f.type, f"a {f.type.value}")
            self.refuse("otherwise", f"{value!r} is not a value of this {f.type.value} field", f"give {want}")

    def _derived_used(self, text: str, key: str) -> bool:
        used = [n for n in rule_names(text) if n in self.derived]
        if used:
            self.refuse(key, f"derived feature {used[0]!r} cannot be used here",
                       "sample data is drawn before features are computed: use the fields it is made of")
        return bool(used)

    def _hint(self, name: str, numeric: bool = False) -> str:
        if name in self.derived:
            return "derived features are computed after sample data is drawn: use a field"
        names = [n for n, f in self.fields.items() if not numeric or f.type in NUMERIC]
        return did_you_mean(name, names)

    def dependencies(self) -> None:
        f, d = self.f, self.d
        seen = set()
        for j, dep in enumerate(d.depends_on):
            other = self.fields.get(dep.field)
            if dep.field in seen:
                self.refuse("depends_on", f"{dep.field!r} is listed twice", "", j)
            seen.add(dep.field)
            if other is None or other.name == f.name:
                self.refuse("depends_on", f"{dep.field!r} is not another field of the data dictionary",
                           self._hint(dep.field), j, "field")
                continue
            if (dep.correlation is None) == (dep.shift is None):
                self.refuse("depends_on", "give either a correlation (numeric or boolean field) or a shift per "
                           "category (category field)", "", j)
            elif other.type is FieldType.CATEGORY and dep.correlation is not None:
                self.refuse("depends_on", f"{dep.field!r} is a category field: give a shift per category",
                           "e.g. shift: {farmer: -0.5}", j, "correlation")
            elif dep.shift is not None and other.type is not FieldType.CATEGORY:
                self.refuse("depends_on", f"{dep.field!r} is not a category field: give a correlation",
                           "", j, "shift")
            elif other.type not in (*NUMERIC, FieldType.BOOLEAN, FieldType.CATEGORY):
                self.refuse("depends_on", f"{dep.field!r} is a free-text field", "", j, "field")
            for cat in dep.shift or {}:
                if cat not in (other.categories or []):
                    self.refuse("depends_on", f"{dep.field!r} has no category {cat!r}",
                               did_you_mean(cat, other.categories or []), j, "shift")


def _relations(ctx, fields, derived, scope) -> None:
    population = ctx.spec.population
    if population is None:
        return
    numeric = {n for n, f in fields.items() if f.type in NUMERIC}
    for i, text in enumerate(population.relations):
        loc, path = ("population", "relations", i), f"population.relations[{i}]"
        used = [n for n in rule_names(text) if n in derived]
        if used:
            ctx.error("relation", loc, path, f"derived feature {used[0]!r} cannot be used in a relation",
                      "relations are between fields: write the feature's formula")
            continue
        expr = ctx.rule(text, loc, path, BOOLEAN, scope)
        if expr is None:
            continue
        try:
            relation_bounds(expr, i, numeric)
        except RuleError as err:
            ctx.error("relation", loc, path, err.message, err.hint, rule_column=err.position + 1, rule=text)


def _range(f) -> str:
    return f"{'' if f.min is None else f.min}..{'' if f.max is None else f.max}"
