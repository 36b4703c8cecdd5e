"""Spark and DuckDB decide every applicant identically: catalog products, random specs, rounding corners.

One local Spark session (`local[2]`) serves the whole module: starting one costs seconds. Without pyspark
or Java the module is skipped with the reason, except under CI=true, where it must run. Each product's
applicants are written to Parquet, decided by `simulate` (DuckDB) and `simulate_spark`, and compared per
row number: decision, segment, score, band, reasons (in order), limit and APR identical; PD to 1e-12
relative (exp() of two math libraries may differ in the last bit).
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers.applicants import applicants
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from typer.testing import CliRunner

from generators.decision import plain_applicant
from generators.sql.spark import for_spark
from product_specs import ProductSpec, check_spec, load_checked
from product_specs.catalog import catalog_path, catalog_paths
from product_specs.sections import FieldType
from validation.analysis.simulate import ROW_COLUMN, SimulationError, simulate

pytestmark = pytest.mark.xdist_group("spark")  # one worker, one JVM (make test runs --dist loadgroup)

CATALOG_APPLICANTS = 2_000
RANDOM_SPECS = 8
RANDOM_APPLICANTS = 60
EXACT = ("decision", "segment", "score", "band", "reasons", "limit", "apr")
PD_RELATIVE = 1e-12


def _load_random_specs():
    """The random-spec strategy of tests/generators/test_random_specs.py (a test module, so loaded by path)."""
    path = Path(__file__).parents[1] / "generators" / "test_random_specs.py"
    spec = importlib.util.spec_from_file_location("loanstudio_random_specs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.specs


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]'; make test installs it)"
    from validation.analysis.spark import java_home

    if java_home() is None:
        return "no Java runtime for Spark (install openjdk-17-jre-headless or set JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark():
    reason = _spark_missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Spark tests must run in CI: {reason}")
        pytest.skip(reason)
    from validation.analysis.spark import spark_session

    session = spark_session()
    yield session
    session.stop()


_DTYPES = {FieldType.INTEGER: "Int64", FieldType.NUMBER: "Float64", FieldType.BOOLEAN: "boolean"}


def _write(checked, rows: list[dict], path: Path) -> Path:
    columns = {f.name: pd.array([r.get(f.name) for r in rows], dtype=_DTYPES.get(f.type, "string"))
               for f in checked.spec.fields}
    pd.DataFrame(columns).to_parquet(path, index=False)
    return path


def _differences(duck: pa.Table, spark: pa.Table) -> list[str]:
    """Every output of every row that differs, as readable lines."""
    assert duck.num_rows == spark.num_rows, (duck.num_rows, spark.num_rows)
    assert duck.column_names == spark.column_names
    out = []
    for a, b in zip(duck.to_pylist(), spark.to_pylist(), strict=True):
        assert a[ROW_COLUMN] == b[ROW_COLUMN]
        for key in EXACT:
            if a[key] != b[key]:
                out.append(f"row {a[ROW_COLUMN]} {key}: duckdb={a[key]!r} spark={b[key]!r}")
        if a["pd"] != b["pd"] and abs(a["pd"] - b["pd"]) > PD_RELATIVE * abs(a["pd"]):
            out.append(f"row {a[ROW_COLUMN]} pd: duckdb={a['pd']!r} spark={b['pd']!r}")
    return out


def assert_engines_agree(checked, path: Path, spark) -> None:
    from validation.analysis.spark import simulate_spark

    duck = simulate(checked, path)
    sparked = simulate_spark(checked, path, session=spark)
    assert sparked.table.schema == duck.table.schema
    assert sparked.outcome_columns == duck.outcome_columns
    found = _differences(duck.table, sparked.table)
    assert not found, f"{checked.product_id}: Spark and DuckDB disagree on {len(found)} outputs:\n" + \
        "\n".join(found[:10])


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_catalog_products_agree(path, spark, tmp_path):
    checked = load_checked(path)
    rows = applicants(checked, CATALOG_APPLICANTS, seed=20_261_203)
    assert_engines_agree(checked, _write(checked, rows, tmp_path / "applicants.parquet"), spark)


@settings(max_examples=RANDOM_SPECS, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=_load_random_specs()(), seed=st.integers(0, 2**32 - 1))
def test_random_specs_agree(spec, seed, spark, tmp_path_factory):
    report = check_spec(ProductSpec.model_validate(spec))
    assume(report.checked is not None)
    checked = report.checked
    path = tmp_path_factory.mktemp("random") / "applicants.parquet"
    assert_engines_agree(checked, _write(checked, applicants(checked, RANDOM_APPLICANTS, seed=seed), path), spark)


def _near_ties(count: int, seed: int) -> list[float | None]:
    """Doubles on and next to the ties of every rounding a rule or the APR can ask for (0-6 digits)."""
    rng = random.Random(seed)
    values: list[float | None] = [None, 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 2.675, 0.285, 1.0000005, 1.0000015,
                                  0.1234565, 4503599627370495.5, 2.0**52, 2.0**53 + 2, 1e300, -1e300, 1e-300,
                                  math.inf, -math.inf, math.nan, 5e-324]
    for _ in range(count):
        digits = rng.randint(0, 6)
        tie = (rng.randint(-10**7, 10**7) + 0.5) / 10**digits
        values += [tie, math.nextafter(tie, math.inf), math.nextafter(tie, -math.inf), rng.uniform(-1e6, 1e6)]
    return values


def test_round_floor_ceil_match_duckdb(spark):
    """ROUND half away from zero on the exact double, FLOOR/CEIL as doubles, in Spark as in DuckDB."""
    values = _near_ties(2_000, seed=5)
    x = exp.column("x")
    outputs = [exp.alias_(exp.Round(this=x.copy(), decimals=exp.Literal.number(d)), f"r{d}") for d in range(7)]
    outputs += [exp.alias_(exp.Floor(this=x.copy()), "f"), exp.alias_(exp.Ceil(this=x.copy()), "c"),
                exp.alias_(exp.Round(this=exp.Round(this=x.copy(), decimals=exp.Literal.number(3)),
                                     decimals=exp.Literal.number(1)), "nested"), exp.column("i")]
    query = exp.select(*outputs).from_("v")
    table = pa.table({"i": list(range(len(values))), "x": pa.array(values, pa.float64())})
    with duckdb.connect() as con:
        con.register("v", table)
        expected = con.sql(query.sql(dialect="duckdb") + " ORDER BY i").fetchall()
    spark.createDataFrame(list(enumerate(values)), "i long, x double").createOrReplaceTempView("v")
    actual = [tuple(r) for r in spark.sql(for_spark(query).sql(dialect="spark") + " ORDER BY i").collect()]
    names = [f"round {d}" for d in range(7)] + ["floor", "ceil", "nested round", "i"]
    wrong = [(values[e[-1]], name, a, b) for e, s in zip(expected, actual, strict=True)
             for name, a, b in zip(names, e, s, strict=True) if not _same(a, b)]
    assert not wrong, f"{len(wrong)} differences, first: {wrong[:5]}"


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_a_folder_of_files_is_numbered_in_path_order(spark, tmp_path):
    from validation.analysis.spark import simulate_spark

    checked = load_checked(catalog_path("tax_sme_loan"))
    rows = applicants(checked, 300, seed=8)
    folder = tmp_path / "parts"
    folder.mkdir()
    _write(checked, rows[200:], folder / "part-1.parquet")
    _write(checked, rows[:200], folder / "part-0.parquet")
    whole = _write(checked, rows, tmp_path / "whole.parquet")
    sparked = simulate_spark(checked, folder, session=spark)
    assert sparked.table[ROW_COLUMN].to_pylist() == list(range(300))
    assert not _differences(simulate(checked, whole).table, sparked.table)


@pytest.mark.parametrize("case, message", [
    ("missing", "no such data file"),
    ("csv", "the Spark engine reads Parquet"),
    ("column", "missing column(s) of the data dictionary: tax_grade"),
    ("refused", "the data holds applicants the decision service refuses: bureau_score"),
    ("empty", "the data has no applicants"),
])
def test_unusable_data_is_refused_by_name(case, message, spark, tmp_path):
    from validation.analysis.spark import simulate_spark

    checked = load_checked(catalog_path("tax_sme_loan"))
    rows = [plain_applicant(t.applicant) for t in checked.spec.tests]
    path = tmp_path / "data.parquet"
    if case == "csv":
        path = tmp_path / "data.csv"
        path.write_text("a\n1\n")
    elif case == "column":
        _write(checked, rows, path)
        pq.write_table(pq.read_table(path).drop_columns(["tax_grade"]), path)
    elif case == "refused":
        _write(checked, [dict(rows[0], bureau_score=10**6)], path)
    elif case == "empty":
        _write(checked, [], path)
    with pytest.raises(SimulationError, match=None) as caught:
        simulate_spark(checked, path, session=spark)
    assert message in str(caught.value)


def test_simulate_command_prints_the_same_report_on_spark(spark, tmp_path):
    from designer.cli import app

    checked = load_checked(catalog_path("consumer_instalment_loan"))
    path = _write(checked, applicants(checked, 1_000, seed=3), tmp_path / "applicants.parquet")
    runner = CliRunner()
    spec = str(catalog_path("consumer_instalment_loan"))
    duck = runner.invoke(app, ["simulate", spec, "--data", str(path)])
    sparked = runner.invoke(app, ["simulate", spec, "--data", str(path), "--engine", "spark",
                                  "--spark-master", "local[2]"])
    assert duck.exit_code == 0 and sparked.exit_code == 0, sparked.output

    def report(output: str) -> list[str]:  # the first line says how long it took
        return [line for line in output.splitlines() if "simulated in" not in line]

    assert report(sparked.stdout) == report(duck.stdout)
    assert "approval" in sparked.stdout.lower()


@pytest.mark.parametrize("args, message", [
    (["--engine", "flink"], "unknown engine 'flink': use duckdb or spark"),
    (["--spark-master", "local[2]"], "--spark-master and --spark-remote go with --engine spark"),
    (["--engine", "spark", "--spark-master", "local[2]; rm -rf /"], "is not a Spark master URL"),
    (["--engine", "spark", "--spark-remote", "http://host:15002"], "is not a Spark Connect URL"),
    (["--engine", "spark", "--spark-master", "local[2]", "--spark-remote", "sc://h:1"], "not both"),
    (["--engine", "spark"], "--engine spark reads the applicants from Parquet: give --data"),
])
def test_engine_options_are_refused_clearly(args, message):
    """Refused before any Spark starts: exit 2, the reason, no traceback."""
    from designer.cli import app

    result = CliRunner().invoke(app, ["simulate", str(catalog_path("tax_sme_loan")), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
