"""Simulation: the compiled query decides every row of a population, whatever the data source."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from product_specs import load_checked
from validation.analysis.simulate import ROW_COLUMN, SimulationError, check_outputs, simulate

FIXTURES = Path(__file__).parent / "fixtures"
TINY_SPEC = FIXTURES / "tiny_product.yaml"
TINY_DATA = FIXTURES / "tiny_population.csv"


@pytest.fixture(scope="module")
def tiny():
    return load_checked(TINY_SPEC)


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return pacsv.read_csv(TINY_DATA, convert_options=pacsv.ConvertOptions(
        column_types={"expect_reasons": pa.string(), "bureau_score": pa.int64()}))


def test_every_applicant_gets_the_decision_and_reasons_it_was_built_for(tiny, population):
    result = simulate(tiny, TINY_DATA)
    rows = result.table.to_pylist()
    expected = population.to_pylist()
    assert [r["applicant_id"] for r in rows] == [e["applicant_id"] for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert row["decision"] == want["expect_decision"], row["applicant_id"]
        assert " ".join(row["reasons"]) == (want["expect_reasons"] or ""), row["applicant_id"]


def test_limits_aprs_scores_and_bands_of_a_few_applicants(tiny):
    rows = {r["applicant_id"]: r for r in simulate(tiny, TINY_DATA).table.to_pylist()}
    assert (rows["A04"]["limit"], rows["A04"]["apr"], rows["A04"]["band"]) == (50000, 0.12, "b")  # web cap
    assert (rows["A07"]["limit"], rows["A07"]["score"]) == (30000, 720)  # income x 10
    assert (rows["A09"]["segment"], rows["A09"]["band"], rows["A09"]["apr"]) == ("prime", "c", 0.14)
    assert (rows["A18"]["score"], rows["A18"]["band"]) == (550, "d")  # missing bureau score
    assert rows["A19"]["limit"] is None and rows["A19"]["apr"] is None  # declined: no offer


def test_csv_parquet_arrow_and_pandas_give_the_same_result(tiny, population, tmp_path):
    parquet = tmp_path / "tiny.parquet"
    import pyarrow.parquet as pq

    pq.write_table(population, parquet)
    results = [simulate(tiny, source).table for source in
               (TINY_DATA, parquet, population, population.to_pandas())]
    first = results[0].select(["applicant_id", "decision", "reasons", "limit", "apr", "score"]).to_pylist()
    for other in results[1:]:
        assert other.select(["applicant_id", "decision", "reasons", "limit", "apr", "score"]).to_pylist() == first


def test_result_carries_outcomes_and_row_numbers_but_no_personal_data(tiny):
    result = simulate(tiny, TINY_DATA)
    names = result.table.column_names
    assert result.outcome_columns == ("bad_flag", "max_dpd_12m", "loss_given_default")
    assert "applicant_name" not in names  # a PII field never reaches the result
    assert result.table.column(ROW_COLUMN).to_pylist() == list(range(20))
    assert result.rows == 20 and result.product_id == "tiny_loan" and not result.notes


def test_chunks_report_progress_and_give_the_same_rows(tiny):
    calls = []
    chunked = simulate(tiny, TINY_DATA, progress=lambda *a: calls.append(a), chunk_rows=7)
    whole = simulate(tiny, TINY_DATA)
    assert chunked.table.to_pylist() == whole.table.to_pylist()
    decide = [c for c in calls if c[0] == "decide"]
    assert decide == [("decide", 0, 20), ("decide", 7, 20), ("decide", 14, 20), ("decide", 20, 20)]
    assert ("read", 1, 1) in calls


def test_data_without_outcomes_is_simulated_with_a_note(tiny, population):
    result = simulate(tiny, population.drop_columns(["bad_flag", "max_dpd_12m", "loss_given_default"]))
    assert result.outcome_columns == ()
    assert "outcome column(s) missing" in result.notes[0]
    assert result.table.column("decision").to_pylist().count("approve") == 7


def test_a_missing_file_is_named(tiny, tmp_path):
    with pytest.raises(SimulationError, match="no such data file"):
        simulate(tiny, tmp_path / "nothing.parquet")


def test_a_file_that_is_not_parquet_is_refused(tiny, tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_text("this is not parquet")
    with pytest.raises(SimulationError, match="cannot be read as Parquet"):
        simulate(tiny, bad)
    with pytest.raises(SimulationError, match="unknown data format"):
        simulate(tiny, TINY_SPEC)


def test_missing_columns_are_named(tiny, population):
    with pytest.raises(SimulationError, match="missing column.*age, grade"):
        simulate(tiny, population.drop_columns(["age", "grade"]))


def test_a_text_value_in_a_number_column_is_reported_not_raised_as_a_traceback(tiny, population):
    frame = population.to_pandas()
    frame["monthly_income"] = frame["monthly_income"].astype(str)
    frame.loc[3, "monthly_income"] = "lots"
    with pytest.raises(SimulationError, match="refuses: monthly_income: 1 row"):
        simulate(tiny, frame)


def test_applicants_the_decision_service_refuses_are_not_decided(tiny, population):
    """Missing required values, numbers out of range or not whole, unknown categories: the service
    answers with an input error, so the simulation names the problem instead of deciding."""
    frame = population.to_pandas()
    numeric = [f for f in tiny.spec.fields if f.type.value in ("integer", "number") and f.max is not None][0]
    category = [f for f in tiny.spec.fields if f.type.value == "category"][0]
    frame[numeric.name] = frame[numeric.name].astype("float64")
    frame.loc[0, numeric.name] = float(numeric.max) + 1
    frame.loc[1, numeric.name] = None
    frame[category.name] = frame[category.name].astype("object")
    frame.loc[2, category.name] = "no_such_category"
    with pytest.raises(SimulationError) as caught:
        simulate(tiny, frame)
    message = str(caught.value)
    assert f"{numeric.name}: 1 row(s) required value is missing" in message or not numeric.required
    assert f"{numeric.name}: 1 row(s) not a" in message
    assert f"{category.name}: 1 row(s) not one of" in message
    assert "validate-data" in message


def test_free_text_fields_need_not_be_in_the_data(tiny, population):
    """Names and other free text cannot appear in rules: the simulation does not need them."""
    result = simulate(tiny, population.drop_columns(["applicant_name"]))
    assert result.rows == 20


def test_only_a_checked_spec_is_simulated(tiny):
    with pytest.raises(TypeError, match="CheckedSpec"):
        simulate(tiny.spec, TINY_DATA)


def test_an_empty_population_is_refused_not_judged(tiny, population):
    """No applicants would pass every risk-appetite target vacuously: say so instead."""
    with pytest.raises(SimulationError, match="has no applicants"):
        simulate(tiny, population.slice(0, 0))


def test_a_duckdb_table_can_be_simulated(tiny, population, tmp_path):
    import duckdb

    db = tmp_path / "apps.db"
    con = duckdb.connect(str(db))
    frame = pd.DataFrame(population.to_pandas())
    con.register("frame", frame)
    con.execute("CREATE TABLE apps AS SELECT * FROM frame")
    con.close()
    result = simulate(tiny, f"duckdb:{db}:apps")
    assert result.table.column("decision").to_pylist() == population.column("expect_decision").to_pylist()


def test_output_checks_pass_on_a_simulation_and_catch_an_apr_above_the_cap(tiny):
    result = simulate(tiny, TINY_DATA)
    checks = check_outputs(result)
    assert checks["available"] and checks["ok"] and checks["rows"] == 20
    assert any("APR between 0.05 and 0.24" in c["check"] for c in checks["checks"])
    index = result.table.column_names.index("apr")
    broken = dataclasses.replace(result, table=result.table.set_column(index, "apr", pa.array([0.5] * 20)))
    checks = check_outputs(broken)
    failed = [c for c in checks["checks"] if not c["passed"]]
    assert not checks["ok"] and len(failed) == 1 and failed[0]["check"].startswith("apr:")
    assert "20 row(s)" in failed[0]["details"]


def test_prepared_data_is_decided_again_by_a_changed_product_without_reading_the_file(tiny, tmp_path):
    from product_specs import check_spec
    from validation.analysis.simulate import execute, prepare, run_simulation

    data = tmp_path / "population.csv"
    data.write_bytes(TINY_DATA.read_bytes())
    prepared = prepare(tiny, data)
    data.unlink()  # a rerun must not need the file any more
    first = execute(tiny, prepared)
    assert first.table.equals(simulate(tiny, TINY_DATA).table)
    spec = tiny.spec.model_copy(deep=True)
    spec.admission[0].when = "age < 99"  # every applicant declined by R01
    stricter = check_spec(spec).checked
    assert prepared.fits(stricter)
    second = run_simulation(stricter, prepared)
    assert set(second.table.column("decision").to_pylist()) == {"decline"}
    other = tiny.spec.model_copy(deep=True)
    other.fields[4].max = Decimal(70)  # other input constraints: the data must be prepared (and checked) again
    changed = check_spec(other).checked
    assert not prepared.fits(changed)
    with pytest.raises(ValueError, match="prepare it again"):
        execute(changed, prepared)


def test_a_parquet_file_is_decided_as_it_is_read_with_the_same_result(tiny, population, tmp_path):
    """A Parquet file is streamed a batch at a time (never held whole): the same rows, notes and progress
    as the in-memory path, with several row groups and chunks that cut across them."""
    import pyarrow.parquet as pq

    from validation.analysis import simulate as sim

    parquet = tmp_path / "tiny.parquet"
    pq.write_table(population, parquet, row_group_size=6)
    assert sim._streamable(tiny, parquet) and not sim._streamable(tiny, TINY_DATA)
    calls = []
    streamed = simulate(tiny, parquet, progress=lambda *a: calls.append(a), chunk_rows=7)
    in_memory = sim.execute(tiny, sim.prepare(tiny, population))
    assert streamed.table.equals(in_memory.table)
    assert streamed.notes == in_memory.notes and streamed.outcome_columns == in_memory.outcome_columns
    assert [c for c in calls if c[0] == "decide"][-1] == ("decide", 20, 20)
    assert pa.types.is_dictionary(streamed.table.schema.field("decision").type)  # a byte a row, not a text


def test_a_streamed_parquet_file_is_refused_as_the_in_memory_one(tiny, population, tmp_path):
    import pyarrow.parquet as pq

    frame = population.to_pandas()
    numeric = [f for f in tiny.spec.fields if f.type.value in ("integer", "number") and f.max is not None][0]
    frame[numeric.name] = frame[numeric.name].astype("float64")
    frame.loc[0, numeric.name] = float(numeric.max) + 1
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), bad)
    with pytest.raises(SimulationError, match=f"refuses: {numeric.name}: 1 row"):
        simulate(tiny, bad)
    short = tmp_path / "short.parquet"
    pq.write_table(population.drop_columns(["age", "grade"]), short)
    with pytest.raises(SimulationError, match="missing column.*age, grade"):
        simulate(tiny, short)
    empty = tmp_path / "empty.parquet"
    pq.write_table(population.slice(0, 0), empty)
    with pytest.raises(SimulationError, match="no applicants"):
        simulate(tiny, empty)
