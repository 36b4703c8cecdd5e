"""Consistency checks across fields, for a product's Great Expectations suite: every `population.relations`
rule holds on every row (social-insurance months within working life, a founder at least 18 when the firm
was founded), and a field declared to apply only to some applicants (`distribution.applies_when`) is empty
(or its `otherwise` value) everywhere else (no business years for a salaried applicant).

Each rule becomes a helper column DuckDB computes from the spec's rule language (compiled to SQL, never
pasted text): the offending values as text where the rule is broken, NULL elsewhere; its check is GX's
`expect_column_values_to_be_null` on that column. The pandas route and the SQL route both add the helper
columns, so both report the same failures with the same examples. A rule over a column the data lacks is
left out (the column's own `exists` check reports it); a value of the wrong type makes the rule unknown for
that row (TRY), not an error (the type check reports it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from product_specs import CheckedSpec
from product_specs.rules import BOOLEAN, compile_rule
from product_specs.sections import FieldType

__all__ = ["RowRule", "row_rules", "helper_select", "add_helper_columns", "HELPER_PREFIX"]

HELPER_PREFIX = "ls_rule_"


@dataclass(frozen=True)
class RowRule:
    """One consistency rule: the field it is reported under, what must hold, and its helper column."""

    name: str          # where it is declared: population.relations[0], fields[business_years].applies_when
    field: str
    kind: str          # relation or applies_when
    description: str
    column: str        # helper column: offending values as text where broken, else NULL
    reads: tuple[str, ...]
    sql: exp.Expression
    pii: bool = False  # it reads personal data: its examples are masked


def row_rules(checked: CheckedSpec) -> list[RowRule]:
    """The product's consistency rules, relations first, then fields that apply only to some applicants."""
    from generators.sql.emitter import to_sql_tree

    spec = checked.spec
    fields = spec.field_map()
    scope = {n: s for n, s in checked.scope.items() if n in fields}
    out: list[RowRule] = []
    relations = spec.population.relations if spec.population is not None else []
    for i, text in enumerate(relations):
        rule = compile_rule(text, scope, BOOLEAN)
        names = tuple(dict.fromkeys(rule.names))
        broken = exp.and_(_numbers(names, fields), exp.Not(this=exp.paren(to_sql_tree(rule))))
        out.append(RowRule(f"population.relations[{i}]", names[0], "relation", f"holds: {text}",
                           f"{HELPER_PREFIX}{len(out)}", names, _offending(broken, names),
                           any(fields[n].pii for n in names)))
    for f in spec.fields:
        d = f.distribution
        if d is None or d.applies_when is None:
            continue
        rule = compile_rule(d.applies_when, scope, BOOLEAN)
        value = exp.column(f.name, quoted=True)
        condition = exp.and_(_numbers(tuple(rule.names), fields), to_sql_tree(rule))
        outside = exp.Not(this=exp.func("COALESCE", condition, exp.false()))
        has_value = _numbers((f.name,), fields) if f.type in (FieldType.INTEGER, FieldType.NUMBER) else \
            exp.Not(this=exp.Is(this=value, expression=exp.Null()))
        broken = exp.and_(outside, has_value)
        allowed = "empty"
        if d.otherwise is not None:
            broken = exp.and_(broken, _differs(f, value, d.otherwise))
            allowed = f"empty or {d.otherwise}"
        names = tuple(dict.fromkeys((f.name, *rule.names)))
        out.append(RowRule(f"fields[{f.name}].applies_when", f.name, "applies_when",
                           f"{allowed} unless {d.applies_when}", f"{HELPER_PREFIX}{len(out)}", names,
                           _offending(broken, names), any(fields[n].pii for n in names)))
    return out


def _numbers(names, fields) -> exp.Expression:
    """True where every numeric field among `names` holds a finite number: NaN, infinities and text in a
    number column are empty to a rule here, as the pandas route reads them (its type check reports text)."""
    tests = [exp.func("COALESCE", exp.func("ISFINITE", exp.TryCast(
        this=exp.cast(exp.column(n, quoted=True), "VARCHAR"), to=exp.DataType.build("DOUBLE"))), exp.false())
        for n in names if n in fields and fields[n].type in (FieldType.INTEGER, FieldType.NUMBER)]
    return exp.and_(*tests) if tests else exp.true()


def _differs(f, value: exp.Expression, otherwise) -> exp.Expression:
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        number = exp.TryCast(this=exp.cast(value, "VARCHAR"), to=exp.DataType.build("DOUBLE"))
        return exp.NEQ(this=number, expression=exp.Literal.number(float(otherwise)))
    if f.type is FieldType.BOOLEAN:
        text = "true" if otherwise is True else "false"
        return exp.NEQ(this=exp.func("LOWER", exp.cast(value, "VARCHAR")), expression=exp.Literal.string(text))
    return exp.NEQ(this=exp.cast(value, "VARCHAR"), expression=exp.Literal.string(str(otherwise)))


def _offending(broken: exp.Expression, names: tuple[str, ...]) -> exp.Expression:
    """`name=value, ...` of the fields a rule reads where it is broken (TRY: unknown on a wrong type)."""
    shown = exp.func("CONCAT_WS", exp.Literal.string(", "), *[
        exp.func("CONCAT", exp.Literal.string(f"{n}="),
                 exp.func("COALESCE", exp.cast(exp.column(n, quoted=True), "VARCHAR"), exp.Literal.string("null")))
        for n in names])
    return exp.Case().when(exp.func("COALESCE", exp.func("TRY", broken), exp.false()), shown)


def helper_select(rules: list[RowRule], columns, table: exp.Expression) -> exp.Select:
    """SELECT every column and each applicable rule's helper column FROM `table`."""
    present = set(columns)
    helpers = [exp.alias_(r.sql, r.column, quoted=True) for r in rules if set(r.reads) <= present]
    return exp.select(exp.Star(), *helpers).from_(table)


def add_helper_columns(rules: list[RowRule], frame):
    """A pandas frame with the applicable rules' helper columns added (computed in DuckDB)."""
    import duckdb

    present = set(frame.columns)
    usable = [r for r in rules if set(r.reads) <= present]
    if not usable:
        return frame
    con = duckdb.connect(config={"enable_external_access": False, "autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    try:
        con.register("ls_frame", frame)
        select = exp.select(*[exp.alias_(r.sql, r.column, quoted=True) for r in usable]).from_("ls_frame")
        helpers = con.execute(select.sql(dialect="duckdb")).fetchdf()
    finally:
        con.close()
    out = frame.copy()
    for r in usable:
        out[r.column] = helpers[r.column].astype(object).where(helpers[r.column].notna(), None).to_numpy()
    return out
