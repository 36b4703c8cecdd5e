"""The decision query: renders for Spark and DuckDB, runs with external access off, quotes every identifier
and literal, passes `keep` columns through and ignores every other source column."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import sqlglot
from helpers.agreement import assert_agree
from helpers.applicants import applicants
from sqlglot import exp

from generators.decision import decision_connection, decision_module, plain_applicant, sql_decide_rows
from generators.sql.query import decision_query, decision_sql, output_columns
from product_specs import ProductSpec, check_spec, load_checked
from product_specs.catalog import catalog_path, catalog_paths
from product_specs.sections import FieldType

PRODUCTS = [pytest.param(path, id=path.stem) for path in catalog_paths()]
_DTYPES = {FieldType.INTEGER: "Int64", FieldType.NUMBER: "Float64", FieldType.BOOLEAN: "boolean"}
AWKWARD = ["a b", "it's", 'say "hi"', "x'); DROP TABLE applicants; --", "back\\slash", "税 务", "{len('x')}", '"""']


def frame(checked, rows: list[dict], **extra) -> pd.DataFrame:
    """A typed applicants table, plus extra columns."""
    columns = {f.name: pd.array([r.get(f.name) for r in rows], dtype=_DTYPES.get(f.type, "string"))
               for f in checked.spec.fields}
    columns.update(extra)
    return pd.DataFrame(columns)


def run(checked, table: pd.DataFrame, **options) -> list[dict]:
    con = decision_connection()
    try:
        con.register("applicants", table)
        result = con.sql(decision_sql(checked, **options))
        return [dict(zip(result.columns, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


def examples(checked) -> list[dict]:
    return [plain_applicant(t.applicant) for t in checked.spec.tests]


@pytest.mark.parametrize("path", PRODUCTS)
def test_renders_for_spark_and_parses_back(path):
    checked = load_checked(path)
    spark = decision_sql(checked, dialect="spark")
    tree = sqlglot.parse_one(spark, read="spark")
    assert isinstance(tree, exp.Select)
    outputs = output_columns(checked)
    assert [e.alias_or_name for e in tree.expressions][-len(outputs):] == list(outputs)
    # the reasons: the rules' codes as one text, then every reason as one text split once (not a list per
    # rule concatenated)
    assert spark.count("CONCAT_WS(") == 2 and "CONCAT(ARRAY" not in spark and "FILTER(" not in spark


@pytest.mark.parametrize("path", PRODUCTS)
def test_duckdb_query_runs_and_is_deterministic(path):
    checked = load_checked(path)
    assert decision_sql(checked) == decision_sql(checked)
    rows = examples(checked)
    result = run(checked, frame(checked, rows))
    assert len(result) == len(rows)
    assert list(result[0]) == [f.name for f in checked.spec.fields] + list(output_columns(checked))


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/hostname')",
    "SELECT * FROM read_text('/etc/hostname')",
    "COPY (SELECT 1 AS x) TO '/tmp/loanstudio_external_access.csv'",
    "ATTACH '/tmp/loanstudio_external_access.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_connection_refuses_external_access(statement):
    con = decision_connection()
    try:
        with pytest.raises(duckdb.Error):
            con.execute(statement)
    finally:
        con.close()


def test_every_column_is_a_quoted_identifier():
    checked = load_checked(catalog_path("tax_sme_loan"))
    columns = list(decision_query(checked).find_all(exp.Column))
    assert columns
    unquoted = sorted({c.name for c in columns if not c.this.args.get("quoted")})
    assert not unquoted, f"unquoted column references: {unquoted}"


def _awkward_spec():
    """The tax product whose industry field also holds category values with spaces, quotes and SQL."""
    data = load_checked(catalog_path("tax_sme_loan")).spec.model_dump(mode="python", exclude_none=True)
    industry = next(f for f in data["fields"] if f["name"] == "industry")
    ordinary = list(industry["categories"])
    industry["categories"] = ordinary + AWKWARD
    data["scorecard"]["characteristics"].append({"field": "industry", "bins": [
        {"values": AWKWARD, "points": 7}, {"values": ordinary, "points": 0}]})
    data["admission"].append({"code": "R99", "name": {"zh": "测试", "en": "test"}, "when": "industry = 'a b'",
                              "action": "refer", "reason": {"zh": "测试行业", "en": "test industry"}})
    data["tests"] = []
    report = check_spec(ProductSpec.model_validate(data))
    assert report.checked is not None, [str(e) for e in report.errors]
    return report.checked


def test_category_values_are_quoted_literals():
    checked = _awkward_spec()
    strings = {lit.this for lit in decision_query(checked).find_all(exp.Literal) if lit.is_string}
    assert set(AWKWARD) <= strings
    for dialect in ("duckdb", "spark"):
        reparsed = sqlglot.parse_one(decision_sql(checked, dialect=dialect), read=dialect)
        assert set(AWKWARD) <= {lit.this for lit in reparsed.find_all(exp.Literal) if lit.is_string}, dialect
    module = decision_module(checked)
    base = plain_applicant(load_checked(catalog_path("tax_sme_loan")).spec.tests[0].applicant)
    rows = [dict(base, industry=value) for value in AWKWARD]
    con = decision_connection()
    try:
        con.register("applicants", frame(checked, rows))
        result = con.sql(decision_sql(checked)).fetchall()
        assert con.sql("SELECT count(*) FROM applicants").fetchall() == [(len(rows),)]
    finally:
        con.close()
    assert len(result) == len(rows)
    assert_agree(checked, rows, "tax_sme_loan with awkward categories")
    first = module.decide(rows[0], trace=False)
    assert [r["code"] for r in first["reasons"]] == ["R99"]
    # category text reaches the generated Python only as a quoted literal: never evaluated, even in a message
    with pytest.raises(module.InputError) as caught:
        module.decide(dict(base, industry="unknown"))
    message = caught.value.errors[0]["message"]
    assert message.startswith("'unknown' is not one of: ") and message.endswith(", ".join(AWKWARD))


def test_awkward_categories_agree_on_generated_applicants():
    checked = _awkward_spec()
    assert_agree(checked, applicants(checked, 3000, seed=11), "tax_sme_loan with awkward categories")


def test_keep_columns_pass_through():
    checked = load_checked(catalog_path("tax_sme_loan"))
    rows = examples(checked)
    flags = [i % 2 == 0 for i in range(len(rows))]
    notes = [f"note {i}: it's" for i in range(len(rows))]
    table = frame(checked, rows, row_id=list(range(len(rows))), bad_12m=flags, **{"Loan Note": notes})
    result = run(checked, table, keep=("row_id", "bad_12m", "Loan Note", "channel"))
    names = list(result[0])
    assert names == [f.name for f in checked.spec.fields] + ["row_id", "bad_12m", "Loan Note"] + list(
        output_columns(checked))
    assert sorted((r["row_id"], r["bad_12m"], r["Loan Note"]) for r in result) == list(zip(range(len(rows)), flags,
                                                                                           notes, strict=True))


def test_sql_decide_rows_keeps_columns():
    checked = load_checked(catalog_path("tax_sme_loan"))
    rows = [dict(r, row_id=i) for i, r in enumerate(examples(checked))]
    result = sql_decide_rows(checked, rows, keep=("row_id", "channel"))
    assert sorted(r["row_id"] for r in result) == list(range(len(rows)))


@pytest.mark.parametrize("name", ["decision", "score", "Segment", "ls_pre", "Channel"])
def test_keeping_a_column_named_like_an_output_is_refused(name):
    checked = load_checked(catalog_path("tax_sme_loan"))
    with pytest.raises(ValueError, match=name):
        decision_sql(checked, keep=(name,))


def test_other_source_columns_do_not_leak_into_the_decision():
    """A table that already holds outputs of an earlier run (score, decision, ...) is decided afresh."""
    checked = load_checked(catalog_path("tax_sme_loan"))
    rows = examples(checked)
    clean = run(checked, frame(checked, rows))
    stale = {name: ["stale"] * len(rows) for name in ("decision", "segment", "band", "ls_pre", "ls_matrix")}
    stale.update(score=[1] * len(rows), SCORE=[2] * len(rows), limit=[0.0] * len(rows))
    assert run(checked, frame(checked, rows, **stale)) == clean


@pytest.mark.parametrize("path", PRODUCTS)
def test_sql_input_checks_refuse_what_the_python_module_refuses(path):
    """A simulation must not decide an applicant the decision service refuses: for applicants broken one
    field at a time, `input_problems` flags a row exactly when `validate` raises InputError."""
    from generators.sql.query import input_problems

    checked = load_checked(path)
    module = decision_module(checked)
    base = plain_applicant(checked.spec.tests[0].applicant)
    rows = [dict(base)]
    for f in checked.spec.fields:
        if f.type is FieldType.STRING:
            continue
        broken = []
        if f.required:
            broken.append(None)
        if f.type in (FieldType.INTEGER, FieldType.NUMBER):
            broken += [float(f.max) + 1 if f.max is not None else None, float(f.min) - 1 if f.min is not None else None]
            if f.type is FieldType.INTEGER:
                broken.append(float(f.min if f.min is not None else 0) + 0.5)
        if f.type is FieldType.CATEGORY:
            broken.append("no_such_value")
        for value in broken:
            row = dict(base)
            row[f.name] = value
            rows.append(row)
    table = pd.DataFrame({f.name: pd.array([r.get(f.name) for r in rows],
                                           dtype="Float64" if f.type in (FieldType.INTEGER, FieldType.NUMBER)
                                           else _DTYPES.get(f.type, "string"))
                          for f in checked.spec.fields})
    flags = exp.or_(*[cond for _, _, cond in input_problems(checked)])
    con = decision_connection()
    try:
        con.register("applicants", table)
        sql = exp.select(exp.alias_(flags, "bad")).from_("applicants").sql(dialect="duckdb")
        sql_bad = [row[0] for row in con.execute(sql).fetchall()]
    finally:
        con.close()
    assert len(rows) > 10
    for row, flagged in zip(rows, sql_bad, strict=True):
        try:
            module.validate(row)
            refused = False
        except module.InputError:
            refused = True
        assert bool(flagged) == refused, f"{path.stem}: SQL says {flagged}, Python refused={refused} for {row}"
