"""Post-loan performance, executable: the hidden monthly chain reproduces each loan's 12-month PD, its roll
rates are the truth's within sampling error, and the ageing of a simulated book is deterministic and
reports vintage, roll rates, early warnings and collections (validation.data.performance,
validation.analysis.post_loan)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from designer.cli.app import app
from product_specs import check_spec, load_checked
from product_specs.catalog import CATALOG_DIR
from validation.analysis.post_loan import age_book, warning_fields
from validation.analysis.simulate import SimulationError, simulate
from validation.data import performance as perf
from validation.data.sample_data import generate

CONSUMER = CATALOG_DIR / "consumer_instalment_loan.yaml"
Z = 4.5  # sampling-error bound, in standard deviations (many comparisons, none may fail by chance)


def test_each_loans_hazard_gives_its_12_month_pd():
    pd12 = np.array([1e-4, 1e-3, 0.005, 0.01, 0.03, 0.08, 0.2, 0.45])
    roll, cure = perf.roll_and_cure(pd12)
    reached = perf.ever_m3plus_within(perf.hazard_for(pd12), roll, cure)
    assert np.allclose(reached, pd12, rtol=2e-3, atol=1e-6)
    assert np.all(np.diff(roll, axis=0) > 0)  # riskier loans roll more often
    assert np.all(np.diff(roll, axis=1) > 0)  # and deeper buckets roll more than early ones


@pytest.fixture(scope="module")
def book():
    rng = np.random.default_rng(11)
    pd12 = np.clip(rng.beta(1.3, 50, 150_000), 1e-5, 0.6)
    terms = np.full(len(pd12), 24)
    return pd12, perf.draw_paths(pd12, terms, 24, seed=3, write_off_days=180)


def _z(observed: int, p: np.ndarray) -> float:
    return (observed - p.sum()) / np.sqrt(max((p * (1 - p)).sum(), 1e-12))


def test_roll_rates_reproduce_the_truth_within_sampling_error(book):
    """Every month's transitions out of current, M1, M2 and M3 counted against the chain's probabilities
    for exactly the loans that were there."""
    pd12, p = book
    checked = 0
    for t in range(1, 25):
        prev_k, k = p.k[t - 1].astype(int), p.k[t].astype(int)
        live = p.status[t - 1] == perf.ACTIVE
        current = live & (prev_k == 0)
        assert abs(_z(int(np.count_nonzero(current & (k == 1))), p.hazard[current])) < Z, t
        for j in (1, 2, 3):
            at = live & (prev_k == j)
            if at.sum() < 200:
                continue
            assert abs(_z(int(np.count_nonzero(at & (k == j + 1))), p.roll[at, j - 1])) < Z, (t, j)
            cured = at & (k == 0) & (p.status[t] != perf.WRITTEN_OFF)
            assert abs(_z(int(np.count_nonzero(cured)), p.cure[at, j - 1])) < Z, (t, j)
            checked += 1
    assert checked >= 40


def test_a_book_reaches_m3plus_within_12_months_at_its_mean_pd(book):
    pd12, p = book
    ever = np.zeros(len(pd12), dtype=bool)
    for t in range(1, 13):
        ever |= p.k[t] >= perf.M3PLUS_K
    assert abs(_z(int(ever.sum()), pd12)) < Z
    assert np.all(p.status[24][p.status[24] == perf.WRITTEN_OFF] == perf.WRITTEN_OFF)
    dpd = p.dpd(24)[p.status[24] == perf.WRITTEN_OFF]
    assert len(dpd) and dpd.min() > 180  # written off only past write_off_days


def test_paths_are_deterministic_for_a_seed():
    pd12 = np.linspace(0.001, 0.2, 2000)
    terms = np.full(2000, 12)
    a = perf.draw_paths(pd12, terms, 12, 5, 180)
    b = perf.draw_paths(pd12, terms, 12, 5, 180)
    c = perf.draw_paths(pd12, terms, 12, 6, 180)
    assert np.array_equal(a.k, b.k) and np.array_equal(a.status, b.status)
    assert not np.array_equal(a.k, c.k)


def test_balances_follow_the_repayment_schedule():
    amount, apr, terms = np.array([12000.0]), np.array([0.12]), np.array([12])
    paid = np.array([0])
    assert perf.balance_after(amount, apr, terms, paid, "equal_instalment")[0] == pytest.approx(12000)
    assert perf.balance_after(amount, apr, terms, np.array([12]), "equal_instalment")[0] == pytest.approx(0, abs=1e-6)
    half = perf.balance_after(amount, apr, terms, np.array([6]), "equal_instalment")[0]
    assert 6000 < half < 6300  # an annuity repays less principal early on
    assert perf.balance_after(amount, apr, terms, np.array([6]), "equal_principal")[0] == pytest.approx(6000)
    assert perf.balance_after(amount, apr, terms, np.array([6]), "bullet")[0] == pytest.approx(12000)


@pytest.fixture(scope="module")
def consumer():
    checked = load_checked(CONSUMER)
    data = generate(checked, 12_000, seed=4)
    return checked, data, simulate(checked, data)


def test_ageing_a_simulated_book_reports_every_figure_and_is_deterministic(consumer):
    checked, data, result = consumer
    a = age_book(result, 24, seed=9)
    b = age_book(result, 24, seed=9)
    assert {**a.to_dict(), "seconds": 0} == {**b.to_dict(), "seconds": 0}
    assert age_book(result, 24, seed=10).vintage != a.vintage
    approved = data[result.table["decision"].to_numpy(zero_copy_only=False) == "approve"]
    assert a.loans == len(approved) and a.pd_basis == "truth"
    assert a.mean_pd_12m == pytest.approx(approved["true_pd_12m"].mean(), rel=1e-6)
    # the vintage curve only rises; M3+ at month 12 is the book's PD, shortened by short terms and prepayment
    ever = [v.ever_m3plus_rate for v in a.vintage]
    assert ever == sorted(ever) and len(ever) == 24
    assert a.m3plus_rate_12 == ever[11] and a.m3plus_rate_24 == ever[23]
    assert 0.4 * a.mean_pd_12m < a.m3plus_rate_12 < 1.3 * a.mean_pd_12m
    assert all(v.ever_m1_rate >= v.ever_m3plus_rate for v in a.vintage)
    # roll matrix: every loan-month lands somewhere; current loans fall behind one bucket at a time
    for row in a.roll_matrix:
        assert sum(row.to.values()) == row.loan_months
    current = a.roll_matrix[0]
    assert current.bucket == "current" and current.to["m2"] == current.to["m3"] == current.to["m3_plus"] == 0
    m3 = next(r for r in a.roll_matrix if r.bucket == "m3")
    m1 = next(r for r in a.roll_matrix if r.bucket == "m1")
    assert m3.rates["m3_plus"] > m1.rates["m2"]  # deeper buckets roll forward more often
    # collections: the spec's steps, by kind; write-offs match the book's written-off loans
    assert set(a.collection_totals) <= {"sms", "call", "field_visit", "legal", "outsource", "write_off"}
    assert a.collection_totals["write_off"] == round(a.vintage[-1].written_off_rate * a.loans)
    assert a.collection_totals["sms"] >= a.collections[0].in_collections > 0  # day-1 SMS to every new M1
    # early warnings over monitoring fields fire ahead of falling behind, better than chance
    by = {w.code: w for w in a.warnings}
    assert set(by) == {"W01", "W02", "W03"}
    fell = a.vintage[-1].ever_m1_rate
    for code in ("W01", "W02"):
        assert by[code].loans_hit > 0 and by[code].precision > 5 * fell and by[code].median_lead_months >= 1
    assert by["W03"].precision is None  # it needs days past due: it never fires on a current loan


def test_without_the_samples_truth_the_book_ages_on_the_model_pd(consumer):
    checked, data, _ = consumer
    result = simulate(checked, data.drop(columns=["true_pd_12m"]))
    r = age_book(result, 12)
    assert r.pd_basis == "model" and any("model PD" in n for n in r.notes)
    assert r.m3plus_rate_12 is not None and r.m3plus_rate_24 is None


def test_months_are_bounded_and_warnings_on_application_fields_need_the_applicants(consumer):
    checked, data, result = consumer
    for months in (0, 61):
        with pytest.raises(SimulationError, match="months must be 1 to 60"):
            age_book(result, months)
    spec = checked.spec
    warning = spec.post_loan.early_warning[0].model_copy(update={"code": "W09", "when": "age < 30 and new_inquiries_1m >= 2"})
    variant = check_spec(spec.model_copy(update={"post_loan": spec.post_loan.model_copy(
        update={"early_warning": [*spec.post_loan.early_warning, warning]})})).checked
    assert warning_fields(variant) == ["age"]
    decided = simulate(variant, data)
    blind = age_book(decided, 6)
    assert any("application fields" in n for n in blind.notes)
    assert next(w for w in blind.warnings if w.code == "W09").loans_hit == 0
    import pyarrow as pa

    seen = age_book(decided, 6, applicants=pa.Table.from_pandas(data[["age"]]))
    w09 = next(w for w in seen.warnings if w.code == "W09")
    assert w09.loans_hit > 0 and not any("application fields" in n for n in seen.notes)


def test_a_monitoring_fields_distribution_is_checked():
    spec = load_checked(CONSUMER).spec
    fields = spec.post_loan.monitoring_fields
    from decimal import Decimal

    linked = fields[1].model_copy(update={"distribution": fields[1].distribution.model_copy(
        update={"ratio_to": "age"})})
    wide = fields[2].model_copy(update={"distribution": fields[2].distribution.model_copy(
        update={"quantiles": {"p50": Decimal(5000)}})})
    report = check_spec(spec.model_copy(update={"post_loan": spec.post_loan.model_copy(
        update={"monitoring_fields": [fields[0], linked, wide]})}))
    messages = {f.path: f.message for f in report.findings}
    assert "not available for a monitoring field" in messages[
        "post_loan.monitoring_fields[new_inquiries_1m].distribution.ratio_to"]
    assert "outside the field's range" in messages["post_loan.monitoring_fields[external_max_dpd].distribution.quantiles"]


def test_simulate_months_on_the_command_line(tmp_path, samples_dir):
    report = tmp_path / "report.html"
    run = CliRunner().invoke(app, ["simulate", str(CONSUMER), "--months", "12", "--json", "--report", str(report)])
    assert run.exit_code == 0, run.output
    metrics = json.loads(run.stdout)["metrics"]
    post = metrics["post_loan"]
    assert post["months"] == 12 and len(post["vintage"]) == 12 and post["pd_basis"] == "truth"
    figure = next(f for f in metrics["figures"] if f["key"] == "m3plus_rate_12")
    assert figure["value"] == post["m3plus_rate_12"]
    assert figure["targets"][0]["key"] == "max_m3plus_rate" and figure["passed"] is (figure["value"] <= 0.02)
    html = report.read_text(encoding="utf-8")
    assert 'id="chart-vintage"' in html and 'id="chart-collections"' in html and "Roll rates" in html
    refused = CliRunner().invoke(app, ["simulate", str(CONSUMER), "--months", "61"])
    assert refused.exit_code == 2 and "less than or equal to 60" in " ".join(refused.output.split())
