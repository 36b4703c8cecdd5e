"""A product the catalog never saw (an agricultural equipment loan, fixtures/farm_equipment_loan.yaml) gets a
believable sample from its declarations alone: every declared quantile holds, every declared relation holds
on every row, no field is constant or a copy of another, every admission rule hits some applicants but not
most, and the declared links to risk separate bad applicants from good ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.rule_rows import broken, holds

from product_specs import check_spec, load_checked
from product_specs.sections import Family, FieldType
from validation.analysis.metrics import compute_metrics
from validation.analysis.sample_quality import analyse
from validation.analysis.simulate import simulate
from validation.data.sample_data import generate
from validation.data.sample_plan import explain

FARM = Path(__file__).parent / "fixtures" / "farm_equipment_loan.yaml"
ROWS = 20_000
TOLERANCE = 0.02  # a declared p-quantile q: between p - 0.02 and p + 0.02 of the applicants are at most q


@pytest.fixture(scope="module")
def farm():
    return load_checked(FARM)


@pytest.fixture(scope="module")
def sample(farm):
    return generate(farm, ROWS, seed=3)


def _holds(checked, frame, text: str) -> np.ndarray:
    return holds(checked, frame, text)


def _declared_quantiles(f) -> dict[float, float]:
    d = f.distribution
    knots = {int(k[1:]) / 100: float(v) for k, v in (d.quantiles or {}).items()}
    if d.median is not None:
        knots[0.5] = float(d.median)
    return knots


def test_the_product_is_new_to_the_catalog(farm):
    from product_specs.catalog import catalog_paths

    catalog = {f.name for p in catalog_paths() for f in load_checked(p).spec.fields}
    new = {"land_area_mu", "years_farming", "crop_type", "farmer_type", "equipment_price", "disaster_loss_ratio"}
    assert new <= {f.name for f in farm.spec.fields} and not new & catalog


def test_every_declared_quantile_holds_within_tolerance(farm, sample):
    checked_some = 0
    for f in farm.spec.fields:
        knots = _declared_quantiles(f) if f.distribution else {}
        if not knots:
            continue
        d = f.distribution
        rows = _holds(farm, sample, d.applies_when) if d.applies_when else np.ones(len(sample), dtype=bool)
        x = sample[f.name].astype("float64")
        if d.ratio_to:
            x = x / sample[d.ratio_to].astype("float64")
        x = x[rows].dropna().to_numpy()
        for p, q in knots.items():
            below, at_most = float((x < q).mean()), float((x <= q).mean())
            if d.family is Family.COUNT:  # q is a p-quantile of a count when P(X < q) < p <= P(X <= q)
                assert below - TOLERANCE <= p <= at_most + TOLERANCE, (f.name, p, q, below, at_most)
            else:  # whole numbers put some applicants exactly on q: take the middle of the step
                share = (below + at_most) / 2 if f.type is FieldType.INTEGER else at_most
                assert abs(share - p) <= TOLERANCE, (f.name, p, q, share)
            checked_some += 1
    assert checked_some >= 25


def test_declared_shares_and_missing_values_hold(farm, sample):
    for f in farm.spec.fields:
        d = f.distribution
        if d is None:
            continue
        rows = _holds(farm, sample, d.applies_when) if d.applies_when else np.ones(len(sample), dtype=bool)
        values = sample.loc[rows, f.name]
        if d.shares:
            got = values.value_counts(normalize=True)
            for category, share in d.shares.items():
                assert abs(got.get(category, 0) - float(share)) < TOLERANCE, (f.name, category)
        if d.share is not None:
            assert abs(values.astype(bool).mean() - float(d.share)) < TOLERANCE, f.name
        if d.missing is not None:
            assert abs(values.isna().mean() - float(d.missing)) < 0.01, f.name


def test_fields_that_apply_only_to_some_applicants_take_their_otherwise_value_elsewhere(farm, sample):
    members = sample["farmer_type"] == "cooperative_member"
    assert not sample.loc[~members, "cooperative_guarantee"].any()
    assert 0.55 < sample.loc[members, "cooperative_guarantee"].mean() < 0.65
    thin = sample["bureau_score"].isna()
    assert (sample.loc[thin, "overdue_count_24m"] == 0).all() and sample.loc[~thin, "overdue_count_24m"].max() > 3


def test_declared_relations_hold_on_every_row(farm, sample):
    for text in farm.spec.population.relations:
        rows = broken(farm, sample, text)
        assert rows.sum() == 0, (text, sample[rows].head())


def test_the_relations_bind(farm):
    """Without its relations the same declarations break them: the generator is what keeps them."""
    spec = farm.spec.model_copy(deep=True)
    spec.population.relations = []
    loose = generate(check_spec(spec).checked, ROWS, seed=3)
    assert (loose["years_farming"] > loose["age"] - 16).sum() > 100
    assert (loose["current_overdue_count"] > loose["overdue_count_24m"]).sum() > 0


def test_no_field_is_constant_or_a_copy_of_another(farm, sample):
    quality = analyse(farm, _table(sample))
    assert quality.constant == [] and quality.copies == []


def test_every_admission_rule_hits_between_a_tenth_of_a_percent_and_half(farm, sample):
    quality = analyse(farm, _table(sample))
    admission = [r for r in quality.rules if r.section == "admission"]
    assert len(admission) == len(farm.spec.admission)
    for rule in admission:
        assert 0.001 <= rule.rate <= 0.5, (rule.path, rule.rate)


def test_declared_links_to_risk_separate_bad_applicants_from_good(sample):
    bad = sample["bad_flag"] == 1
    assert sample.loc[bad, "bureau_score"].mean() < sample.loc[~bad, "bureau_score"].mean() - 20
    assert sample.loc[bad, "disaster_loss_ratio"].median() > sample.loc[~bad, "disaster_loss_ratio"].median()
    by_type = sample.groupby("farmer_type")["bad_flag"].mean()
    assert by_type["cooperative_member"] < by_type["smallholder"]
    assert 0.03 < bad.mean() < 0.05  # population.bad_rate: 0.04


def test_fields_move_together_as_declared(sample):
    def rank_corr(a, b):
        both = sample[[a, b]].dropna().astype("float64")
        return both.rank().corr().iloc[0, 1]

    assert rank_corr("annual_farm_income", "land_area_mu") > 0.55
    assert rank_corr("years_farming", "age") > 0.55
    land = sample.groupby("farmer_type")["land_area_mu"].median()
    assert land["contractor"] > land["family_farm"] > land["smallholder"]


def test_a_simulation_of_the_new_product_is_meaningful(farm, sample):
    metrics = compute_metrics(simulate(farm, sample))
    assert 0.3 < metrics.value("approval_rate") < 0.7
    assert metrics.value("declined_to_approved_loss_ratio") > 2
    assert not [n for n in metrics.notes if "never hits" in n or "copy of" in n or "on every row" in n]


def test_explain_names_every_field_and_what_is_declared(farm):
    lines = explain(farm)
    text = "\n".join(lines)
    for f in farm.spec.fields:
        assert any(line.startswith(f.name + " (") for line in lines), f.name
    assert "kept years_farming <= age - 16 on every row" in text
    assert "only where farmer_type = 'cooperative_member'; elsewhere false" in text
    assert "default" not in text.split("fields, in the order")[1].replace("(declared)", "")


def _table(frame):
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)
