"""Data checks with Great Expectations: suites from the data dictionary, exact failure counts."""

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from product_specs import load_checked
from product_specs.catalog import catalog_paths
from validation.data.expectations import field_checks, output_checks, validate_data, validate_outputs
from validation.data.sample_data import default_sample, generate


def _failures(report) -> dict:
    return {(f.field, f.kind): f.bad_rows for f in report.failures}


def test_suite_follows_the_data_dictionary(sample_product):
    kinds: dict[str, set] = {}
    for check in field_checks(sample_product):
        kinds.setdefault(check.field, set()).add(check.kind)
    assert kinds["bureau_score"] == {"exists", "type", "range", "null_rate"}
    assert kinds["tax_grade"] == {"exists", "type", "categories", "not_null"}
    assert kinds["applicant_id"] == {"exists", "type", "not_null", "unique"}
    assert kinds["likes_cats"] == {"exists", "type", "not_null"}
    assert set(kinds) == {f.name for f in sample_product.spec.fields}
    ids = [c.id for c in field_checks(sample_product)]
    assert len(ids) == len(set(ids))


def test_output_checks_use_the_pricing_and_limits(sample_product):
    checks = {c.id: c for c in output_checks(sample_product, ("decision", "limit", "apr", "reasons", "band"))}
    assert checks["outputs[apr].range"].description.startswith("APR between 0.06 and 0.18")
    assert checks["outputs[limit].step"].description == "limit a multiple of 1000"
    assert "outputs[band].known" in checks and "outputs[segment].known" not in checks


@pytest.fixture(scope="module")
def hand_made(sample_product):
    """Ten applicants with known problems (see the expected counts in the test below)."""
    frame = generate(sample_product, 10, seed=1)
    frame["bureau_score"] = pd.array([1000, 100, None, None, None, None, None, None, 700, 650], dtype="Int64")
    frame["total_debt"] = 1000.0
    frame["widget_index"] = [5.0, 12.5, 3, 4, 5, 6, 7, 8, 9, 10]
    frame["credit_inquiries_3m"] = pd.array([-1, 0, 1, 2, 3, 0, 0, 0, 0, 0], dtype="Int64")
    frame["tax_grade"] = ["A", "B", "C", "Z", "A", "A", "B", "B", "M", "D"]
    frame["channel"] = ["app", "app", "app", "app", "fax", "fax", "wechat", "app", "app", "app"]
    frame["age"] = pd.array([30, 31, 32, 33, 34, 35, None, None, None, 40], dtype="Int64")
    frame.loc[9, "applicant_id"] = frame.loc[8, "applicant_id"]
    frame["years_filing"] = [1.0, 2.0, "abc", 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    return frame.drop(columns=["court_case"])


def test_hand_made_frame_fails_with_exact_counts(sample_product, hand_made):
    report = validate_data(sample_product, hand_made)
    assert not report.ok and report.rows == 10
    assert _failures(report) == {
        ("applicant_id", "unique"): 2,
        ("bureau_score", "range"): 2,
        ("bureau_score", "null_rate"): 6,
        ("credit_inquiries_3m", "range"): 1,
        ("court_case", "exists"): None,
        ("years_filing", "type"): 1,
        ("widget_index", "range"): 1,
        ("age", "not_null"): 3,
        ("tax_grade", "categories"): 1,
        ("channel", "categories"): 2,
        ("overdue_count_24m", "applies_when"): 3,  # overdue counts where the bureau has no record
    }
    by_key = {(f.field, f.kind): f for f in report.failures}
    assert by_key[("court_case", "exists")].message == "column missing"
    assert by_key[("bureau_score", "range")].examples == (1000, 100)
    assert by_key[("channel", "categories")].examples == ("fax",)
    assert by_key[("years_filing", "type")].examples == ("abc",)
    assert by_key[("bureau_score", "null_rate")].message == "60.0% empty"


def test_pii_examples_are_masked(sample_product):
    frame = generate(sample_product, 20, seed=1)
    frame["mobile_phone"] = frame["mobile_phone"].astype(object)
    frame.loc[0, "mobile_phone"] = 13912345678
    failure = validate_data(sample_product, frame).failures[0]
    assert (failure.field, failure.kind, failure.bad_rows) == ("mobile_phone", "type", 1)
    assert failure.examples == ("13*********",)


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_default_sample_of_every_catalog_product_passes(path, samples_dir):
    report = validate_data(load_checked(path), default_sample(path.stem, samples_dir))
    assert report.ok, report.failures
    assert report.rows == 20_000


def test_hand_made_outputs_fail_with_exact_counts(sample_product):
    outputs = pd.DataFrame({
        "decision": ["approve", "approve", "approve", "approve", "refer", "decline", "decline", "decline",
                     "maybe", "approve"],
        "segment": ["vip", "prime", "prime", "prime", "standard", "standard", "prime", "prime", "prime", "prime"],
        "limit": [30000, 35500, None, 600000, 20000, None, None, None, None, Decimal("40000")],
        "apr": [0.10, 0.10, 0.10, 0.10, 0.20, None, None, None, None, Decimal("0.05")],
        "reasons": [[], [], [], [], ["M02"], [], ["R01"], None, [], []],
    })
    report = validate_outputs(sample_product, outputs)
    assert _failures(report) == {
        ("decision", "categories"): 1,
        ("apr", "range"): 2,
        ("limit", "range"): 1,
        ("limit", "step"): 1,
        ("limit", "approved_limit"): 1,
        ("reasons", "decline_reason"): 2,
        ("segment", "categories"): 1,
    }
    by_key = {(f.field, f.kind): f for f in report.failures}
    assert by_key[("limit", "step")].examples == (35500.0,)
    assert set(by_key[("apr", "range")].examples) == {0.2, 0.05}


def test_outputs_without_their_columns_are_named_not_crashed(sample_product):
    report = validate_outputs(sample_product, pd.DataFrame({"decision": ["approve"], "apr": [0.1]}))
    assert _failures(report) == {("limit", "exists"): None, ("reasons", "exists"): None}


def test_decisions_of_the_compiled_strategy_pass(sample_product):
    sql = pytest.importorskip("generators.sql.query")
    con = duckdb.connect()
    con.register("applicants", generate(sample_product, 3000, seed=3))
    decisions = con.sql(sql.decision_sql(sample_product)).df()
    report = validate_outputs(sample_product, decisions)
    assert report.ok, report.failures


# command line -------------------------------------------------------------------------------------------------

def test_data_without_rows_fails(sample_product):
    """Every expectation holds on no rows; an empty file must still not pass as good data."""
    empty = pd.DataFrame({f.name: [] for f in sample_product.spec.fields})
    report = validate_data(sample_product, empty)
    assert not report.ok
    assert [f.message for f in report.failures] == ["the data has no rows"]
