"""The artefacts a risk team found in the samples are gone, and each consistency rule is a data check in the
product's Great Expectations suite, so the same checks guard a bank's own files (validation.data.row_checks):
fields that apply only to some applicants are empty elsewhere, relations hold on every row, and products
drawn with the same seed are different people."""

from __future__ import annotations

import numpy as np
import pytest

from product_specs import load_checked
from product_specs.catalog import CATALOG_DIR, catalog_paths
from validation.data.applicant_model import Applicants
from validation.data.expectations import consistency_checks, validate_data
from validation.data.sample_data import default_sample, generate
from validation.data.sample_plan import SampleModel

REGIONAL = CATALOG_DIR / "regional_micro_loan.yaml"
TAX = CATALOG_DIR / "tax_sme_loan.yaml"
CONSUMER = CATALOG_DIR / "consumer_instalment_loan.yaml"


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_every_product_has_consistency_checks_and_its_sample_passes_them(path, samples_dir):
    checked = load_checked(path)
    checks = consistency_checks(checked)
    relations = len(checked.spec.population.relations) if checked.spec.population else 0
    conditional = [f for f in checked.spec.fields if f.distribution and f.distribution.applies_when]
    assert len(checks) == relations + len(conditional) >= 2
    report = validate_data(checked, default_sample(path.stem, samples_dir))
    assert report.ok, report.failures
    assert report.checks >= len(checks) + 3 * len(checked.spec.fields)


def test_the_found_artefacts_are_gone_from_the_samples():
    regional = generate(load_checked(REGIONAL), 20_000, seed=3)
    employed = regional["occupation_type"].isin(["civil_servant", "salaried"])
    assert regional.loc[employed, "business_years"].isna().all()  # was filled for 91% of the salaried
    assert regional.loc[~employed & regional["occupation_type"].isin(["self_employed", "farmer"]),
                        "business_years"].notna().mean() > 0.9
    income = regional.groupby("occupation_type")["monthly_income"].median()
    assert income["civil_servant"] > income["salaried"] > income["farmer"]  # income depends on occupation
    traders = regional["occupation_type"] == "self_employed"
    assert regional.loc[traders, "has_business_license"].notna().all()
    assert regional.loc[~traders, "has_business_license"].isna().all()
    assert regional.loc[~regional["occupation_type"].isin(["self_employed", "farmer"]),
                        ["business_type", "monthly_business_revenue"]].isna().all().all()
    consumer = generate(load_checked(CONSUMER), 20_000, seed=3)
    assert (consumer["social_insurance_months"] <= (consumer["age"] - 16) * 12).all()  # was ~10% beyond
    tax = generate(load_checked(TAX), 20_000, seed=3)
    assert (tax["firm_age_years"] <= tax["owner_age"] - 18 + 1e-9).all()  # ~5% of founders were under 18


def test_products_drawn_with_the_same_seed_are_different_people():
    risks = []
    for path in catalog_paths():
        model = SampleModel(load_checked(path))
        risks.append(Applicants(model, 5_000, seed=7, chunk=0, start=0).risk)
    for i in range(len(risks)):
        for j in range(i + 1, len(risks)):
            assert abs(np.corrcoef(risks[i], risks[j])[0, 1]) < 0.05


@pytest.mark.parametrize("route", ["frame", "csv"])
def test_a_file_that_breaks_a_rule_fails_its_check_with_examples(route, tmp_path):
    checked = load_checked(REGIONAL)
    frame = generate(checked, 3_000, seed=4)
    salaried = frame.index[(frame["occupation_type"] == "salaried") & (frame["age"] >= 30)][:40]
    frame.loc[salaried, "business_years"] = 5.0
    young = frame.index[frame["occupation_type"] == "self_employed"][:3]
    frame.loc[young, "age"] = 19
    frame.loc[young, "business_years"] = 12.0
    data = frame
    if route == "csv":
        data = tmp_path / "applicants.csv"
        frame.to_csv(data, index=False)
    report = validate_data(checked, data)
    by = {(f.field, f.kind): f for f in report.failures}
    applies = by["business_years", "applies_when"]
    assert applies.bad_rows == 40 and applies.examples[0].startswith("business_years=5")
    assert "occupation_type=salaried" in applies.examples[0]
    relation = by["business_years", "relation"]
    assert relation.bad_rows == 3 and relation.description == "holds: business_years <= age - 16"
    assert all("age=19" in e for e in relation.examples)
