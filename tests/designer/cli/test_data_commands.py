"""The `sample-data` and `validate-data` commands: files written, every problem named, exit codes."""

import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from designer.cli import app
from validation.data.sample_data import generate

runner = CliRunner()



def test_cli_sample_data_writes_the_file(sample_product_path, tmp_path):
    out = tmp_path / "pop.parquet"
    result = runner.invoke(app, ["sample-data", str(sample_product_path), "--rows", "800", "--seed", "2",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "800 applicants" in result.output and "bad rate" in result.output
    assert len(pd.read_parquet(out)) == 800


@pytest.mark.parametrize("args, code", [
    (["--out", "x.txt"], 2),
    (["--out", "x.parquet", "--rows", "-1"], 2),
])
def test_cli_sample_data_refuses_bad_arguments(sample_product_path, tmp_path, args, code):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    result = runner.invoke(app, ["sample-data", str(sample_product_path), *args])
    assert result.exit_code == code
    assert "Traceback" not in result.output


def test_cli_sample_data_with_a_missing_spec(tmp_path):
    result = runner.invoke(app, ["sample-data", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 2


@pytest.fixture(scope="module")
def broken_csv(sample_product, tmp_path_factory):
    """A file with wrong types, out-of-range values, unknown categories, missing columns, required nulls."""
    frame = generate(sample_product, 300, seed=9).drop(columns=["age", "likes_cats"])
    frame["bureau_score"] = frame["bureau_score"].astype(object)
    frame.loc[0, "bureau_score"] = "excellent"
    frame.loc[1, "credit_inquiries_3m"] = 250
    frame.loc[2, "tax_grade"] = "AAA"
    frame.loc[3:5, "annual_tax_sales"] = None
    frame["is_blacklisted"] = frame["is_blacklisted"].astype(object)
    frame.loc[4, "is_blacklisted"] = "maybe"
    path = tmp_path_factory.mktemp("data") / "broken.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_names_every_problem_of_a_broken_file(sample_product_path, broken_csv):
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", str(broken_csv)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Traceback" not in out and "300 rows" in out
    lines = {line.split()[0] + " " + line.split()[1] for line in out.splitlines()[2:]}
    assert lines == {"age exists", "likes_cats exists", "bureau_score type", "credit_inquiries_3m range",
                     "tax_grade categories", "annual_tax_sales not_null", "is_blacklisted type"}
    assert "column missing" in out and "'excellent'" in out and "'AAA'" in out and "250" in out


def test_cli_json_report(sample_product_path, broken_csv):
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", str(broken_csv),
                                 "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and len(data["failures"]) == 7


def test_cli_passes_a_good_file_and_a_duckdb_table(sample_product, sample_product_path, tmp_path):
    frame = generate(sample_product, 2000, seed=4)
    frame.to_parquet(tmp_path / "good.parquet")
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", str(tmp_path / "good.parquet")])
    assert result.exit_code == 0, result.output
    assert "all passed" in result.output
    db = tmp_path / "apps.db"
    con = duckdb.connect(str(db))
    con.register("frame", frame)
    con.execute("create table applicants as select * from frame")
    con.close()
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", f"duckdb:{db}:applicants"])
    assert result.exit_code == 0, result.output


def test_cli_checks_simulated_outputs(sample_product_path, tmp_path):
    path = tmp_path / "decisions.parquet"
    pd.DataFrame({"decision": ["approve", "decline"], "limit": [12345.0, None], "apr": [0.1, None],
                  "reasons": [["M01"], []]}).to_parquet(path)
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", str(path), "--outputs"])
    assert result.exit_code == 1
    assert "limit a multiple of 1000" in result.output and "every decline has at least one reason" in result.output


@pytest.mark.parametrize("name, content", [
    ("missing.parquet", None),
    ("corrupt.parquet", b"this is not parquet"),
    ("empty.csv", b""),
    ("data.xlsx", b"PK"),
])
def test_cli_unreadable_data_exits_2(sample_product_path, tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("source", ["duckdb:{db}:no_such_table", "duckdb:{db}", "duckdb:{db}:drop table x",
                                    "duckdb:{tmp}/none.db:t"])
def test_cli_unreadable_duckdb_sources_exit_2(sample_product_path, tmp_path, source):
    db = tmp_path / "x.db"
    duckdb.connect(str(db)).close()
    result = runner.invoke(app, ["validate-data", str(sample_product_path), "--data",
                                 source.format(db=db, tmp=tmp_path)])
    assert result.exit_code == 2, result.output


def test_cli_missing_spec_exits_2(tmp_path):
    result = runner.invoke(app, ["validate-data", str(tmp_path / "nope.yaml"), "--data", "x.csv"])
    assert result.exit_code == 2




def test_cli_sample_data_explains_how_each_field_is_drawn(sample_product_path, tmp_path):
    result = runner.invoke(app, ["sample-data", str(sample_product_path), "--explain"])
    assert result.exit_code == 0, result.output
    assert "bureau_score (integer, 300..900): normal, p5 500, p50 680, p95 815 (declared)" in result.output
    assert "widget_index (number, 2..12): normal" in result.output and "(default)" in result.output
    assert "kept years_filing <= age - 16 on every row" in result.output
    assert not list(tmp_path.iterdir())


def test_cli_sample_data_needs_an_output_file_or_explain(sample_product_path):
    result = runner.invoke(app, ["sample-data", str(sample_product_path)])
    assert result.exit_code == 2 and "--out" in result.output and "Traceback" not in result.output
