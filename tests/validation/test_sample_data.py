"""Sample data: deterministic, within the data dictionary, and with the risk structure a lender expects."""

import re
import time

import numpy as np
import pandas as pd
import pytest

from product_specs import load_checked
from product_specs.catalog import catalog_paths
from product_specs.sections import FieldType
from validation.data.sample_data import CHUNK_ROWS, OUTCOME_COLUMNS, default_sample, generate, write


def test_same_seed_gives_the_same_population(sample_product):
    first = generate(sample_product, 3000, seed=5)
    pd.testing.assert_frame_equal(first, generate(sample_product, 3000, seed=5))
    assert not first.equals(generate(sample_product, 3000, seed=6))


def test_a_population_of_several_chunks_does_not_repeat_itself(sample_product):
    big = generate(sample_product, CHUNK_ROWS + 10, seed=5)
    assert len(big) == CHUNK_ROWS + 10
    assert big["applicant_id"].is_unique
    second = big.iloc[CHUNK_ROWS:].reset_index(drop=True)
    assert not np.array_equal(second["years_filing"].to_numpy(), big["years_filing"].iloc[:10].to_numpy())
    assert big.iloc[CHUNK_ROWS:]["applicant_id"].iloc[0] == f"A{CHUNK_ROWS + 1:09d}"


@pytest.mark.parametrize("rows", [0, 1, 7])
def test_tiny_populations_have_every_column(sample_product, rows):
    frame = generate(sample_product, rows, seed=3)
    assert len(frame) == rows and len(frame.columns) == len(sample_product.spec.fields) + len(OUTCOME_COLUMNS)


def test_columns_are_the_fields_then_the_outcomes(sample_product, sample_population):
    assert list(sample_population.columns) == [f.name for f in sample_product.spec.fields] + list(OUTCOME_COLUMNS)


def test_every_value_is_within_the_data_dictionary(sample_product, sample_population):
    for f in sample_product.spec.fields:
        values = sample_population[f.name].dropna()
        if f.type in (FieldType.INTEGER, FieldType.NUMBER):
            assert values.min() >= float(f.min) and values.max() <= float(f.max), f.name
        if f.type is FieldType.INTEGER:
            assert str(sample_population[f.name].dtype) == "Int64", f.name
        if f.type is FieldType.BOOLEAN:
            assert str(sample_population[f.name].dtype) == "boolean", f.name
        if f.type is FieldType.CATEGORY:
            assert set(values) <= set(f.categories), f.name
            assert len(set(values)) == len(f.categories), f"{f.name}: every category appears"


def test_nulls_only_in_optional_fields_at_a_realistic_rate(sample_product, sample_population):
    for f in sample_product.spec.fields:
        share = sample_population[f.name].isna().mean()
        if f.required:
            assert share == 0, f.name
        else:
            assert 0.02 < share < 0.2, (f.name, share)


def test_text_fields_are_unique_ids_or_masked(sample_population):
    ids = sample_population["applicant_id"]
    assert ids.is_unique and ids.str.fullmatch(r"A\d{9}").all()
    assert sample_population["mobile_phone"].str.fullmatch(r"1\d\d\*{4}\d{4}").all()


def test_outcomes_are_consistent_and_plausible(sample_population):
    bad = sample_population["bad_flag"]
    assert set(bad.unique()) <= {0, 1}
    assert 0.01 < bad.mean() < 0.08
    dpd = sample_population["max_dpd_12m"]
    assert ((dpd > 90) == (bad == 1)).all()
    assert (dpd >= 0).all() and dpd.dtype.kind == "i"
    lgd = sample_population["loss_given_default"]
    assert lgd.between(0, 1).all() and 0.4 < lgd.mean() < 0.65


def _corr(frame, column):
    values = frame[column].astype("float64")
    mask = values.notna()
    return np.corrcoef(values[mask], frame["bad_flag"][mask])[0, 1]


def test_fields_carry_risk_in_the_direction_a_lender_expects(sample_population):
    assert _corr(sample_population, "bureau_score") < -0.1
    assert _corr(sample_population, "overdue_count_24m") > 0.05
    assert _corr(sample_population, "credit_inquiries_3m") > 0.03
    assert _corr(sample_population, "years_filing") < 0
    by_grade = sample_population.groupby("tax_grade")["bad_flag"].mean()
    assert by_grade["A"] < by_grade["B"] < by_grade["C"] < by_grade["D"]
    by_flag = sample_population.groupby("is_blacklisted")["bad_flag"].mean()
    assert by_flag[True] > 2 * by_flag[False]
    assert sample_population["is_blacklisted"].mean() < 0.03


def test_undeclared_fields_get_defaults_by_type_unit_and_range(sample_population):
    """Nothing is read from a field's name: without a declaration a number is a bell inside its range, a
    category has equal shares, a flag is true for one applicant in ten."""
    widgets = sample_population["widget_index"].dropna()
    assert widgets.between(2, 12).all() and 1 < widgets.std() < 2.5 and abs(widgets.median() - 7) < 0.3
    colours = sample_population["favourite_colour"].value_counts(normalize=True)
    assert len(colours) == 4 and colours.between(0.22, 0.28).all()
    for flag in ("is_mystery_flag", "likes_cats"):
        assert 0.08 < sample_population[flag].mean() < 0.12, flag
    assert 0.04 < sample_population["widget_index"].isna().mean() < 0.06


def test_fraud_rings_share_a_device_or_phone_and_go_bad_more(sample_population):
    device_groups = sample_population.groupby("device_id")["device_id"].transform("size")
    phone_groups = sample_population.groupby("mobile_phone")["mobile_phone"].transform("size")
    rings = device_groups >= 3
    assert rings.sum() >= 30
    assert (sample_population.loc[rings, "device_shared_count"] >= device_groups[rings] - 1).all()
    shared_phone = phone_groups >= 3  # no give-away prefix: a ring's phone looks like any other
    assert shared_phone.sum() >= 20 and sample_population["mobile_phone"].str.slice(0, 3).nunique() > 50
    assert (sample_population.loc[shared_phone, "phone_shared_count"] >= 2).all()
    members = rings | shared_phone
    assert sample_population.loc[members, "bad_flag"].mean() > 3 * sample_population.loc[~members, "bad_flag"].mean()


def test_no_field_is_derived_from_the_strategy(sample_product):
    """Changing the scorecard and rules does not change the data: risk comes from field meanings."""
    spec = sample_product.spec.model_copy(deep=True)
    spec.scorecard.characteristics[0].bins[0].points = 999
    spec.admission = []
    from product_specs import check_spec

    other = check_spec(spec).checked
    pd.testing.assert_frame_equal(generate(sample_product, 500, seed=2), generate(other, 500, seed=2))


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_catalog_products_get_a_few_percent_bad(path):
    frame = generate(load_checked(path), 20_000, seed=7)
    assert 0.015 < frame["bad_flag"].mean() < 0.06
    assert frame["applicant_id"].is_unique


def test_a_large_population_is_fast(sample_product):
    start = time.perf_counter()
    frame = generate(sample_product, 200_000, seed=1)
    elapsed = time.perf_counter() - start
    assert len(frame) == 200_000
    assert elapsed * 5 < 60, f"{elapsed:.1f}s for 200k rows: 1M would take over a minute"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_write_round_trips(sample_product, tmp_path, suffix):
    path = write(sample_product, tmp_path / f"sample{suffix}", 1500, seed=4)
    back = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    original = generate(sample_product, 1500, seed=4)
    assert list(back.columns) == list(original.columns) and len(back) == 1500
    assert back["bad_flag"].tolist() == original["bad_flag"].tolist()
    assert not list(tmp_path.glob(".*.tmp"))


def test_default_sample_is_generated_once_and_cached(tmp_path):
    path = default_sample("tax_sme_loan", tmp_path, rows=300, seed=3)
    assert path.parent == tmp_path and re.fullmatch(r"tax_sme_loan-300-3-[0-9a-f]{10}\.parquet", path.name)
    stamp = path.stat().st_mtime_ns
    assert default_sample("tax_sme_loan", tmp_path, rows=300, seed=3) == path
    assert path.stat().st_mtime_ns == stamp
    with pytest.raises(LookupError):
        default_sample("no_such_product", tmp_path)
