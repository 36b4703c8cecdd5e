"""Sample data is drawn from declarations, never from names: defaults by type, unit and range; relations
kept on every row whatever their operator; conditions; the same seed gives the same bytes."""

from __future__ import annotations

import hashlib

import pytest
from helpers.rule_rows import broken
from helpers.spec_edits import MINI

from product_specs import check_spec, load_spec
from product_specs.sections import Distribution, Field, Population
from validation.data.sample_data import OUTCOME_COLUMNS, generate, write
from validation.data.sample_plan import SampleModel, explain


def _spec(*fields: Field, relations=(), base=None):
    spec = (base or load_spec(MINI)).model_copy(deep=True)
    spec.fields = [*spec.fields, *fields]
    if relations:
        spec.population = Population(relations=list(relations))
    report = check_spec(spec)
    assert report.checked is not None, [str(f) for f in report.errors]
    return report.checked


def _field(name: str, kind: str = "number", **more) -> Field:
    distribution = more.pop("distribution", None)
    return Field(name=name, label={"zh": name, "en": name}, type=kind, required=more.pop("required", True),
                 distribution=Distribution(**distribution) if distribution is not None else None, **more)


def test_a_field_the_generator_has_never_seen_is_not_spread_over_its_whole_range():
    """Issue 15: land declared 0..100000 mu came out with a median of 38,520 mu."""
    checked = _spec(_field("land_area_mu", min=0, max=100000, unit="mu"))
    land = generate(checked, 5000, seed=1)["land_area_mu"]
    assert land.median() < 5000 and land.between(0, 100000).all()
    assert (land < 30).mean() > 0.001  # a rule 'land < 30 mu' can hit


def test_an_undeclared_count_is_a_small_count():
    checked = _spec(_field("complaints", "integer", min=0, max=99, unit="count"))
    values = generate(checked, 5000, seed=1)["complaints"]
    assert 0.6 < values.mean() < 1.4 and values.max() < 15 and (values == 0).mean() > 0.3


def test_an_undeclared_amount_is_lognormal_inside_its_range():
    checked = _spec(_field("savings", min=0, max=100_000_000, unit="CNY"))
    values = generate(checked, 5000, seed=1)["savings"]
    assert values.between(0, 100_000_000).all()
    assert values.median() < 0.05 * 100_000_000 and values.mean() > 1.5 * values.median()  # skewed right
    assert ((values * 100 - (values * 100).round()).abs() < 1e-6).all()  # to the cent


def test_an_undeclared_ratio_stays_inside_zero_to_one():
    checked = _spec(_field("share_online", min=0, max=1, unit="ratio"))
    values = generate(checked, 5000, seed=1)["share_online"]
    assert values.between(0, 1).all() and 0.2 < values.std() * 4 < 1.5


@pytest.mark.parametrize("relation", [
    "tenure_years <= age - 16", "tenure_years < age - 16", "tenure_years between 1 and age - 16",
    "tenure_years = floor(age / 3)", "tenure_years >= age - 40 and tenure_years <= age - 16"])
def test_every_kind_of_relation_holds_on_every_row(relation):
    tenure = _field("tenure_years", min=0, max=60, unit="years",
                    distribution={"family": "lognormal", "median": 12, "step": 0.1})
    checked = _spec(tenure, relations=[relation])
    frame = generate(checked, 4000, seed=2)
    assert not broken(checked, frame, relation).any(), relation
    assert frame["tenure_years"].nunique() > 10


def test_applies_when_and_otherwise():
    kind = _field("occupation", "category", categories=["farmer", "salaried", "self_employed"],
                  distribution={"shares": {"farmer": 0.3, "salaried": 0.5, "self_employed": 0.2}})
    years = _field("business_years", min=0, max=50, required=False,
                   distribution={"median": 6, "applies_when": "occupation = 'self_employed'"})
    certified = _field("certified", "boolean", distribution={"share": 0.5, "applies_when": "occupation = 'farmer'",
                                                              "otherwise": False})
    frame = generate(_spec(kind, years, certified), 5000, seed=3)
    self_employed = frame["occupation"] == "self_employed"
    assert frame.loc[~self_employed, "business_years"].isna().all()
    assert frame.loc[self_employed, "business_years"].notna().mean() > 0.9
    assert not frame.loc[frame["occupation"] != "farmer", "certified"].any()
    assert 0.45 < frame.loc[frame["occupation"] == "farmer", "certified"].mean() < 0.55


def test_nothing_is_read_from_a_name():
    """Two fields with the same declaration but different names get the same kind of values."""
    a = _field("overdue_count_24m_copy", "integer", min=0, max=99, unit="count")
    b = _field("zz_unknown", "integer", min=0, max=99, unit="count")
    frame = generate(_spec(a, b), 20_000, seed=4)
    assert abs(frame["overdue_count_24m_copy"].mean() - frame["zz_unknown"].mean()) < 0.05
    assert (frame["overdue_count_24m_copy"] != frame["zz_unknown"]).mean() > 0.3  # not a copy either


def test_adding_a_field_leaves_the_others_unchanged():
    base = _spec()
    more = _spec(_field("extra", min=0, max=10))
    before, after = generate(base, 800, seed=5), generate(more, 800, seed=5)
    assert before.drop(columns=list(OUTCOME_COLUMNS)).equals(
        after[before.columns].drop(columns=list(OUTCOME_COLUMNS)))


def test_the_same_spec_and_seed_give_the_same_bytes(tmp_path):
    checked = _spec(_field("tenure_years", min=0, max=60, unit="years"), relations=["tenure_years <= age - 16"])
    digests = [hashlib.sha256(write(checked, tmp_path / f"s{i}.parquet", 3000, seed=9).read_bytes()).hexdigest()
               for i in range(2)]
    assert digests[0] == digests[1]


def test_explain_says_what_is_declared_and_what_is_a_default():
    tenure = _field("tenure_years", min=0, max=60, unit="years", distribution={"median": 12})
    lines = explain(_spec(tenure, _field("land_area_mu", min=0, max=100000, unit="mu"),
                          relations=["tenure_years <= age - 16"]))
    tenure_line = next(i for i, line in enumerate(lines) if line.startswith("tenure_years ("))
    assert "p50 12," in lines[tenure_line] and "(declared)" in lines[tenure_line]
    assert "    kept tenure_years <= age - 16 on every row" in lines[tenure_line + 1:tenure_line + 4]
    land = next(line for line in lines if line.startswith("land_area_mu ("))
    assert "lognormal" in land and "(default)" in land


def test_correlations_that_cannot_hold_together_are_lowered_and_said():
    a = _field("a", min=0, max=100, distribution={"median": 50, "risk_correlation": 0.9})
    b = _field("b", min=0, max=100, distribution={"median": 50, "risk_correlation": -0.9,
                                                  "depends_on": [{"field": "a", "correlation": 0.9}]})
    model = SampleModel(_spec(a, b))
    assert model.by_name["b"].notes and "cannot all hold" in model.by_name["b"].notes[0]
    frame = generate(_spec(a, b), 2000, seed=1)
    assert frame["b"].between(0, 100).all()


def test_a_count_with_an_enormous_declared_tail_is_drawn_without_an_enormous_table():
    claims = _field("claims", "integer", min=0, max=10**15, unit="count",
                    distribution={"family": "count", "quantiles": {"p50": 2, "p99": 10**12}})
    values = generate(_spec(claims), 1000, seed=1)["claims"]
    assert values.between(0, 10**15).all() and values.median() <= 50
