"""The simulation's output checks evaluated in DuckDB over the decisions' Arrow table give the same failures
as the pandas route (validate_outputs), on clean decisions and on decisions broken in every checked way."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from product_specs import load_checked
from product_specs.catalog import catalog_path
from validation.analysis.simulate import run_simulation
from validation.data.expectations import validate_output_table, validate_outputs
from validation.data.sample_data import generate

ROWS = 3000


@pytest.fixture(scope="module")
def decisions():
    checked = load_checked(catalog_path("tax_sme_loan"))
    result = run_simulation(checked, generate(checked, ROWS, seed=4))
    return checked, result.table.select(["decision", "segment", "band", "limit", "apr", "reasons", "second_grade"])


def _pandas_route(checked, table: pa.Table):
    text = table.set_column(table.column_names.index("reasons"), "reasons", pc.binary_join(table["reasons"], ","))
    return validate_outputs(checked, text.to_pandas())


def _summary(report):
    return sorted((f.field, f.kind, f.bad_rows, tuple(str(e) for e in f.examples)[:3]) for f in report.failures)


def _broken(table: pa.Table) -> pa.Table:
    n = table.num_rows
    decision = table["decision"].to_pylist()
    limit = table["limit"].to_pylist()
    apr = table["apr"].to_pylist()
    reasons = table["reasons"].to_pylist()
    band = table["band"].to_pylist()
    approved = [i for i in range(n) if decision[i] == "approve"]
    declined = [i for i in range(n) if decision[i] == "decline"]
    limit[approved[0]] = None                        # an approval without a limit
    limit[approved[1]] = limit[approved[1]] + 3.5    # off the step
    limit[approved[2]] = 99_999_999.0                # above the maximum
    apr[approved[3]] = 0.9                           # above the cap
    reasons[declined[0]] = []                        # a decline without a reason
    decision[declined[1]] = "maybe"                  # not an outcome
    band[0] = "zz"                                   # not a band
    grade = table["second_grade"].to_pylist()
    grade[1] = "t9"                                  # not a grade of the second scorecard
    table = table.set_column(6, "second_grade", pa.array(grade))
    return table.set_column(0, "decision", pa.array(decision)).set_column(
        2, "band", pa.array(band)).set_column(3, "limit", pa.array(limit, pa.float64())).set_column(
        4, "apr", pa.array(apr, pa.float64())).set_column(5, "reasons", pa.array(reasons, pa.list_(pa.string())))


def test_clean_decisions_pass_both_routes(decisions):
    checked, table = decisions
    sql, pandas = validate_output_table(checked, table), _pandas_route(checked, table)
    assert sql.ok and pandas.ok and sql.rows == pandas.rows == ROWS


def test_broken_decisions_fail_the_same_checks_with_the_same_counts(decisions):
    checked, table = decisions
    broken = _broken(table)
    sql, pandas = validate_output_table(checked, broken), _pandas_route(checked, broken)
    assert not sql.ok
    assert {(f.field, f.kind) for f in sql.failures} >= {
        ("limit", "approved_limit"), ("limit", "step"), ("limit", "range"), ("apr", "range"),
        ("reasons", "decline_reason"), ("decision", "categories"), ("band", "categories"),
        ("second_grade", "categories")}
    assert [(f, k, n) for f, k, n, _ in _summary(sql)] == [(f, k, n) for f, k, n, _ in _summary(pandas)]


def test_no_decisions_is_not_a_pass(decisions):
    checked, table = decisions
    assert not validate_output_table(checked, table.slice(0, 0)).ok
