"""Data checks evaluated in DuckDB over a file report what the same GX suite reports on the file read into
pandas: the same failed checks, the same counts of bad rows, the same examples (PII masked)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from validation.data.data_files import read_data
from validation.data.expectations import _normalised, field_checks, run_checks, validate_data
from validation.data.sample_data import generate


def _pandas_route(checked, path):
    """What validate-data did before: every row read into pandas, the GX suite run on the frame."""
    from product_specs.sections import FieldType

    text = tuple(f.name for f in checked.spec.fields if f.type in (FieldType.CATEGORY, FieldType.STRING))
    return run_checks(field_checks(checked), _normalised(read_data(path, text)), str(path))


def _summary(report) -> dict:
    return {(f.field, f.kind): (f.bad_rows, f.examples) for f in report.failures}


@pytest.fixture(scope="module")
def problems(sample_product):
    """300 applicants with a problem of every kind a file can have."""
    frame = generate(sample_product, 300, seed=12)
    frame["bureau_score"] = frame["bureau_score"].astype("float64")
    frame.loc[[3, 40, 41], "bureau_score"] = [1000.0, np.nan, 250.0]
    frame.loc[5:9, "annual_tax_sales"] = np.nan  # NaN in a required number: empty, as in pandas
    frame.loc[7, "widget_index"] = np.inf
    frame.loc[[11, 12], "tax_grade"] = ["Z", "Z"]
    frame.loc[13, "applicant_id"] = frame.loc[14, "applicant_id"]
    frame["credit_inquiries_3m"] = frame["credit_inquiries_3m"].astype("float64")
    frame.loc[20, "credit_inquiries_3m"] = 2.5  # not a whole number in an integer field
    frame["mobile_phone"] = pd.array(range(13_900_000_000, 13_900_000_300), dtype="Int64")  # PII, not text
    return frame.drop(columns=["court_case"])


@pytest.mark.parametrize("kind", ["parquet", "csv", "duckdb"])
def test_sql_route_reports_what_the_pandas_route_reports(sample_product, problems, tmp_path, kind):
    path = tmp_path / "data.parquet"
    problems.to_parquet(path, index=False)
    if kind == "csv":  # every column of a CSV file is text to begin with: the phone numbers pass
        path = tmp_path / "data.csv"
        problems.to_csv(path, index=False)
    expected = _summary(_pandas_route(sample_product, path))
    if kind == "duckdb":
        db = tmp_path / "data.db"
        with duckdb.connect(str(db)) as con:
            con.register("frame", problems)
            con.execute("CREATE TABLE applicants AS SELECT * FROM frame")
        path = f"duckdb:{db}:applicants"
    report = validate_data(sample_product, path)
    assert report.rows == 300
    assert _summary(report) == expected
    assert ("court_case", "exists") in expected and ("tax_grade", "categories") in expected
    assert (expected.get(("mobile_phone", "type")) == (300, ("13*********",))) == (kind != "csv")


def test_csv_type_problems_match_the_pandas_route(sample_product, tmp_path):
    frame = generate(sample_product, 50, seed=2)
    for name, bad in (("bureau_score", "excellent"), ("years_filing", " nan "), ("is_blacklisted", "maybe")):
        frame[name] = frame[name].astype(object)
        frame.loc[4, name] = bad
    frame.loc[6, "age"] = None
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    report = validate_data(sample_product, path)
    assert _summary(report) == _summary(_pandas_route(sample_product, path))
    assert {(f.field, f.kind) for f in report.failures} == {
        ("bureau_score", "type"), ("years_filing", "type"), ("is_blacklisted", "type"), ("age", "not_null")}


def test_every_row_empty_or_no_rows(sample_product, tmp_path):
    path = tmp_path / "none.parquet"
    generate(sample_product, 10, seed=1).iloc[:0].to_parquet(path, index=False)
    assert [f.message for f in validate_data(sample_product, path).failures] == ["the data has no rows"]
