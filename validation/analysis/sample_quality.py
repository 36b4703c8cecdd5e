"""Checks that catch a meaningless simulation: rules that never or always hit on the data, fields whose
values are constant or a copy of another field, and relations between fields the data breaks.

Steps: CheckedSpec + applicants --analyse (an Arrow table, in DuckDB) or analyse_sql (a table of any SQL
engine: the Spark simulation runs it on its view)--> SampleQuality (every rule's hits, the constant and
copied fields, the broken relations) --warnings()--> lines of text for the simulation's notes.

Everything is a few aggregate queries built as sqlglot trees: one scan for the rule hits (the product's
compiled conditions, derived features included; a channel's rules count only its own applicants), the
broken relations and each field's count, min and max; then, only for pairs of fields that could be copies
(same count, min and max), one scan for their modes and one for how often they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from product_specs import CheckedSpec
from product_specs.rules import BOOLEAN, compile_rule
from product_specs.sections import FieldType

__all__ = ["analyse", "analyse_sql", "SampleQuality", "RuleHits", "FieldCopy", "COPY_SHARE", "Run"]

COPY_SHARE = 0.99        # a field identical to another on at least this share of rows is a copy...
COPY_INFORMATIVE = 0.9   # ...if also identical on this share of the rows where either is not its usual value
_TABLE = "ls_applicants"
_SECTIONS = ("segments", "admission", "channels", "decision", "pricing")


Run = Callable[[object], Sequence]
"""Runs one aggregate query (a sqlglot tree) on an engine and returns its one row."""


@dataclass(frozen=True)
class RuleHits:
    """How many applicants a rule hits, among those it applies to (a channel's rules: its applicants)."""

    path: str
    section: str
    hits: int
    eligible: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.eligible if self.eligible else None


@dataclass(frozen=True)
class FieldCopy:
    field: str
    other: str
    share: float  # share of rows with the same value


@dataclass
class SampleQuality:
    """What the data lets a simulation say about the product."""

    rows: int
    rules: list[RuleHits] = field(default_factory=list)
    constant: list[tuple[str, str]] = field(default_factory=list)  # (field, its one value or "empty")
    copies: list[FieldCopy] = field(default_factory=list)
    broken_relations: list[tuple[str, int]] = field(default_factory=list)  # (relation, rows that break it)

    def rule(self, path: str) -> RuleHits:
        return next(r for r in self.rules if r.path == path)

    def warnings(self) -> list[str]:
        """One line per problem, for the simulation's notes."""
        out = []
        for r in self.rules:
            whom = "applicants" if r.section != "channels" else "applicants of its channel"
            if r.eligible and r.hits == 0:
                out.append(f"{r.path} never hits on these {r.eligible:,} {whom}: the simulation says nothing about "
                           "it (check the rule, or the data's range for its fields)")
            elif r.eligible and r.hits == r.eligible:
                out.append(f"{r.path} hits every one of these {r.eligible:,} {whom}: check the rule and the data")
        for name, value in self.constant:
            out.append(f"field {name} is {value} on every row: rules on it cannot tell applicants apart")
        for c in self.copies:
            out.append(f"field {c.field} is a copy of {c.other} ({c.share:.1%} of rows identical): "
                       "check how the data was made")
        for text, rows in self.broken_relations:
            out.append(f"population relation {text!r} fails on {rows:,} row(s)")
        return out


def analyse(checked: CheckedSpec, applicants: pa.Table) -> SampleQuality:
    """Rule hits, constant and copied fields, and broken relations of `applicants` for the product (DuckDB)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register(_TABLE, applicants)
        return analyse_sql(checked, lambda select: con.execute(select.sql(dialect="duckdb")).fetchall()[0],
                           _TABLE, applicants.column_names)
    finally:
        con.close()


def analyse_sql(checked: CheckedSpec, run: Run, table: str, columns: Sequence[str]) -> SampleQuality:
    """The same analysis on any SQL engine: `run(select)` returns the one row of an aggregate over `table`,
    whose `columns` hold the data dictionary's fields."""
    from sqlglot import exp

    from generators.sql.emitter import column

    present = set(columns)
    fields = [f for f in checked.spec.fields if f.type is not FieldType.STRING and f.name in present]
    rules = _rules(checked)
    relations = list(checked.spec.population.relations) if checked.spec.population else []
    names = _names(checked)
    scope = {n: s for n, s in checked.scope.items() if not s.derived}
    parts: list[exp.Expression] = [exp.Count(this=exp.Star())]
    for _, condition, eligible in rules:
        parts += [_count(exp.and_(eligible, exp.paren(condition, copy=False))), _count(eligible)]
    for text in relations:
        relation = to_sql(compile_rule(text, scope, BOOLEAN), names)
        parts.append(_count(exp.Not(this=exp.paren(relation, copy=False))))
    for f in fields:
        value = _value(f, column(f.name))
        parts += [exp.Count(this=value), exp.Min(this=value), exp.Max(this=value)]
    row = list(run(exp.select(*parts).from_(table)))
    rows = int(row.pop(0) or 0)
    quality = SampleQuality(rows)
    for ref, _, _ in rules:
        hits, eligible = int(row.pop(0) or 0), int(row.pop(0) or 0)
        quality.rules.append(RuleHits(ref.path.removesuffix(".when"), ref.section, hits, eligible))
    for text in relations:
        broken = int(row.pop(0) or 0)
        if broken:
            quality.broken_relations.append((text, broken))
    stats = {}
    for f in fields:
        count, low, high = row.pop(0), row.pop(0), row.pop(0)
        stats[f.name] = (int(count or 0), low, high)
        if rows and not count:
            quality.constant.append((f.name, "empty"))
        elif rows > 1 and count == rows and low == high:
            quality.constant.append((f.name, _shown(f, low)))
    quality.copies = _copies(fields, stats, rows, run, table, {c for c, _ in quality.constant})
    return quality


def to_sql(expr, names):
    from generators.sql.emitter import to_sql_tree

    return to_sql_tree(expr, names)


def _rules(checked: CheckedSpec):
    """(rule, its condition, who it applies to) as SQL, for every condition of the decision on some field."""
    from sqlglot import exp

    from generators.sql.emitter import column

    names = _names(checked)
    channel = checked.spec.product.channel_field
    out = []
    for ref in checked.rules():
        if ref.section not in _SECTIONS or ref.expr.type != BOOLEAN or not ref.expr.names:
            continue  # a condition on no field (the catch-all segment's `true`) says nothing of the data
        eligible: exp.Expression = exp.true()
        if ref.section == "channels":
            cid = ref.path.split("[", 1)[1].split("]", 1)[0]
            eligible = exp.EQ(this=column(channel), expression=exp.Literal.string(cid))
        out.append((ref, to_sql(ref.expr, names), eligible))
    return out


def _names(checked: CheckedSpec):
    """SQL for every name a rule may use: fields as columns, derived features as their formulas."""
    from sqlglot import exp

    from generators.sql.emitter import column

    names = {f.name: column(f.name) for f in checked.spec.fields}
    for name, expr in checked.derived:
        names[name] = exp.paren(to_sql(expr, names), copy=False)
    return names


def _count(condition):
    from sqlglot import exp

    return exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))


def _kind(f) -> str:
    return "number" if f.type in (FieldType.INTEGER, FieldType.NUMBER) else f.type.value


def _value(f, value):
    """Numbers compared as doubles (an integer field and a number field can hold the same values)."""
    from sqlglot import exp

    return exp.cast(value, exp.DataType.Type.DOUBLE) if _kind(f) == "number" else value


def _shown(f, value) -> str:
    if _kind(f) == "number" and value is not None and float(value).is_integer():
        return str(int(value))
    return repr(value)


def _literal(value):
    from sqlglot import exp

    from generators.sql.emitter import sql_number

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return sql_number(value)
    return exp.Literal.string(str(value))


def _copies(fields, stats, rows: int, run: Run, table: str, constant: set[str]) -> list[FieldCopy]:
    """Pairs of fields of one kind with the same count, min and max, checked row by row."""
    from sqlglot import exp

    from generators.sql.emitter import column

    candidates = [f for f in fields if f.name not in constant]
    pairs = [(a, b) for i, a in enumerate(candidates) for b in candidates[i + 1:]
             if _kind(a) == _kind(b) and stats[a.name] == stats[b.name]]
    if not pairs or rows == 0:
        return []
    involved = list({f.name: f for pair in pairs for f in pair}.values())
    modes = run(exp.select(*[exp.Anonymous(this="mode", expressions=[_value(f, column(f.name))])
                             for f in involved]).from_(table))
    mode = {f.name: m for f, m in zip(involved, modes, strict=True)}
    parts = []
    for a, b in pairs:
        va, vb = _value(a, column(a.name)), _value(b, column(b.name))
        same = exp.NullSafeEQ(this=va, expression=vb)
        unusual = exp.or_(exp.not_(exp.NullSafeEQ(this=va.copy(), expression=_literal(mode[a.name]))),
                          exp.not_(exp.NullSafeEQ(this=vb.copy(), expression=_literal(mode[b.name]))))
        parts += [_count(same), _count(unusual), _count(exp.and_(same.copy(), unusual.copy()))]
    row = list(run(exp.select(*parts).from_(table)))
    out = []
    for a, b in pairs:
        same, unusual, same_unusual = (int(row.pop(0) or 0) for _ in range(3))
        share = same / rows
        if share >= COPY_SHARE and (unusual == 0 or same_unusual / unusual >= COPY_INFORMATIVE):
            out.append(FieldCopy(b.name, a.name, share))
    return out
