"""Figures of a simulation, checked against a population where every number is known by hand.

The 20 applicants of fixtures/tiny_population.csv (product fixtures/tiny_product.yaml):

    approve (7): A01 A02 A03 A04 A05 A07 A08       limits 100k 100k 100k 50k 100k 30k 200k = 680k
    refer   (5): A06 [W01]  A09 [M02]  A10 [M02]  A11 [R03 T01]  A12 [T01]
    decline (8): A13 [R01]  A14 [R01 R02]  A15 [R02]  A16 [CH01]  A17 [M01]  A18 [M01]  A19 [L01]
                 A20 [R02 T01 M01]
    bad (7): A02 (LGD 0.5)  A10 (0.4)  A13 (0.6)  A14 (0.5)  A15 (0.8)  A17 (0.5)  A20 (0.5, requested 500k)

Expected loss on the requested amount (EAD): approved 0.5 x 100k = 50k over 750k requested;
declined 60k + 50k + 80k + 50k + 250k = 490k over 1.2m; referred 0.4 x 100k = 40k over 1.2m.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from product_specs import load_checked
from validation.analysis.metrics import compute_metrics, nice_width
from validation.analysis.simulate import simulate

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def metrics():
    checked = load_checked(FIXTURES / "tiny_product.yaml")
    return compute_metrics(simulate(checked, FIXTURES / "tiny_population.csv"))


def test_decision_rates_and_automation(metrics):
    m = metrics
    assert (m.applicants, m.approve, m.refer, m.decline) == (20, 7, 5, 8)
    assert m.value("approval_rate") == pytest.approx(0.35)
    assert m.value("refer_rate") == pytest.approx(0.25)
    assert m.value("decline_rate") == pytest.approx(0.40)
    assert m.value("automation_rate") == pytest.approx(0.75)


def test_bad_rates(metrics):
    assert metrics.value("bad_rate_approved") == pytest.approx(1 / 7)
    assert metrics.value("bad_rate_overall") == pytest.approx(7 / 20)


def test_expected_loss(metrics):
    el = metrics.expected_loss
    assert el.basis == "requested_amount"
    assert el.approved_rate == pytest.approx(50_000 / 750_000)
    assert el.declined_rate == pytest.approx(490_000 / 1_200_000)
    assert el.referred_rate == pytest.approx(40_000 / 1_200_000)
    assert el.overall_rate == pytest.approx(580_000 / 3_150_000)
    assert el.declined_to_approved == pytest.approx(6.125)
    assert el.approved_el_on_limits == pytest.approx(50_000)
    assert el.approved_rate_on_limits == pytest.approx(50_000 / 680_000)
    assert el.mean_lgd == pytest.approx(3.8 / 7)
    assert metrics.value("observed_declined_to_approved_ratio") == pytest.approx(6.125)


@pytest.fixture(scope="module")
def decided():
    checked = load_checked(FIXTURES / "tiny_product.yaml")
    return simulate(checked, FIXTURES / "tiny_population.csv").table.to_pandas()


def _model_el(rows, on: str = "requested_amount") -> float:
    """EL with the model PD of every row: PD x LGD (the bad applicants' mean where missing) x EAD."""
    lgd = rows["loss_given_default"].fillna(3.8 / 7)
    return float((rows["pd"] * lgd * rows[on]).sum())


def test_expected_loss_rests_on_the_model_pd_of_every_applicant(metrics, decided):
    model = metrics.expected_loss.model
    by = {d: decided[decided["decision"] == d] for d in ("approve", "refer", "decline")}
    rate = {d: _model_el(r) / r["requested_amount"].sum() for d, r in by.items()}
    assert model.approved_rate == pytest.approx(rate["approve"])
    assert model.declined_rate == pytest.approx(rate["decline"])  # declined applicants: model PD, not outcomes
    assert model.referred_rate == pytest.approx(rate["refer"])
    assert model.declined_to_approved == pytest.approx(rate["decline"] / rate["approve"])
    assert model.approved_rate_on_limits == pytest.approx(_model_el(by["approve"], "limit") / 680_000)
    assert metrics.value("declined_to_approved_loss_ratio") == pytest.approx(rate["decline"] / rate["approve"])
    assert metrics.value("pd_approved") == pytest.approx(by["approve"]["pd"].mean())
    assert metrics.expected_loss.pd_source == "scaling" and any("declared scaling" in n for n in metrics.notes)
    for key in ("expected_loss_rate_approved", "declined_to_approved_loss_ratio", "pd_approved"):
        assert "model" in metrics.figure(key).label_en
    for key in ("bad_rate_approved", "observed_loss_rate_declined", "observed_declined_to_approved_ratio"):
        assert "observed" in metrics.figure(key).label_en


def test_volume_limits_and_aprs_of_approved(metrics):
    assert metrics.value("volume_lent") == 680_000
    assert metrics.value("average_limit") == pytest.approx(680_000 / 7)
    assert metrics.value("average_apr") == pytest.approx(0.74 / 7)
    limit, apr = metrics.limit, metrics.apr
    assert (limit.count, limit.min, limit.max, limit.quantiles["p50"]) == (7, 30_000, 200_000, 100_000)
    assert sum(b.count for b in limit.histogram) == 7
    assert (apr.min, apr.max, apr.quantiles["p50"]) == (pytest.approx(0.10), pytest.approx(0.12), pytest.approx(0.10))
    assert {round(b.lower, 4): b.count for b in apr.histogram} == {0.1: 5, 0.12: 2}


def test_every_figure_is_judged_against_the_risk_appetite(metrics):
    verdicts = {t.key: (t.actual, t.passed) for f in metrics.figures for t in f.targets}
    model = metrics.expected_loss.model
    assert verdicts == {  # the loss targets are judged on model figures (known for every applicant)
        "min_approval_rate": (pytest.approx(0.35), True),
        "max_approval_rate": (pytest.approx(0.35), True),
        "max_refer_rate": (pytest.approx(0.25), False),
        "min_automation_rate": (pytest.approx(0.75), True),
        "max_bad_rate_approved": (pytest.approx(metrics.value("pd_approved")), True),
        "max_expected_loss_rate": (pytest.approx(model.approved_rate_on_limits), True),
        "min_declined_to_approved_loss_ratio": (pytest.approx(model.declined_to_approved), True),
    }
    assert {f.key for f in metrics.failed} == {"refer_rate"}
    assert metrics.figure("decline_rate").passed is None  # no target: not judged


def test_rule_hits_first_hits_and_unique_hits(metrics):
    table = {r.code: (r.action, r.hits, r.first_hits, r.unique_hits) for r in metrics.rules}
    assert table == {
        "R01": ("decline", 2, 2, 1), "R02": ("decline", 3, 2, 1), "CH01": ("decline", 1, 1, 1),
        "M01": ("decline", 3, 2, 2), "L01": ("decline", 1, 1, 1),
        "R03": ("refer", 1, 1, 0), "W01": ("refer", 1, 1, 1), "T01": ("refer", 3, 1, 1), "M02": ("refer", 2, 2, 2),
    }
    r02 = next(r for r in metrics.rules if r.code == "R02")
    assert r02.hit_rate == pytest.approx(0.15)
    assert r02.bad_rate_hit == pytest.approx(1.0)  # A14, A15, A20 all went bad


def test_waterfall_takes_declines_then_referrals_in_reason_order(metrics):
    steps = [(r.code, r.remaining) for r in metrics.rules]
    assert steps == [("R01", 18), ("R02", 16), ("CH01", 15), ("M01", 13), ("L01", 12),
                     ("R03", 11), ("W01", 10), ("T01", 9), ("M02", 7)]
    assert steps[-1][1] == metrics.approve


def test_funnel(metrics):
    assert [(s.key, s.count) for s in metrics.funnel] == [
        ("applicants", 20), ("pass_admission", 16), ("pass_channel", 15), ("pass_score", 13),
        ("pass_limit", 12), ("approved", 7)]
    assert metrics.funnel[-1].rate == pytest.approx(0.35)


def test_by_segment_channel_and_band(metrics):
    seg = {r.key: (r.applicants, r.approve, r.refer, r.decline) for r in metrics.by_segment}
    assert seg == {"prime": (13, 6, 4, 3), "other": (7, 1, 1, 5)}
    prime = metrics.by_segment[0]
    assert prime.bad_rate == pytest.approx(3 / 13) and prime.approval_rate == pytest.approx(6 / 13)
    assert prime.share == pytest.approx(0.65)
    channels = {r.key: (r.applicants, r.approve, r.refer, r.decline) for r in metrics.by_channel}
    assert channels == {"app": (17, 6, 4, 7), "web": (3, 1, 1, 1)}
    bands = {r.key: (r.min_score, r.applicants, r.approve, r.refer, r.decline) for r in metrics.by_band}
    assert bands == {"a": (700, 13, 5, 3, 5), "b": (640, 3, 2, 1, 0), "c": (600, 2, 0, 1, 1), "d": (None, 2, 0, 0, 2)}
    assert [r.bad_rate for r in metrics.by_band] == [pytest.approx(4 / 13), pytest.approx(1 / 3), 0.5, 0.5]
    assert metrics.by_band[0].bad_rate_approved == pytest.approx(1 / 5)  # A02 among A01 A02 A05 A07 A08


def test_score_distribution_by_decision(metrics):
    bins = {b.lower: (b.approve, b.refer, b.decline) for b in metrics.score_histogram}
    assert bins == {550: (0, 0, 2), 620: (0, 1, 1), 660: (2, 1, 0), 720: (5, 3, 5)}
    assert all(b.upper - b.lower == 10 for b in metrics.score_histogram)


def test_metrics_are_plain_json(metrics):
    data = json.loads(json.dumps(metrics.to_dict()))
    assert data["applicants"] == 20
    assert data["figures"][1]["key"] == "approval_rate" and data["figures"][1]["passed"] is True
    assert data["rules"][0]["code"] == "R01"


def test_without_outcomes_the_outcome_figures_are_absent_not_zero():
    checked = load_checked(FIXTURES / "tiny_product.yaml")
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(FIXTURES / "tiny_population.csv").drop_columns(
        ["bad_flag", "max_dpd_12m", "loss_given_default"])
    m = compute_metrics(simulate(checked, table))
    assert not m.has_outcomes
    assert m.value("bad_rate_approved") is None and m.expected_loss.declined_to_approved is None
    assert m.value("observed_loss_rate_declined") is None  # unavailable, never silently zero
    assert m.value("el_rate_declined_requested") > 0 and m.value("declined_to_approved_loss_ratio") > 1
    assert m.expected_loss.lgd_assumed and any("no outcomes" in n for n in m.notes)
    assert m.value("approval_rate") == pytest.approx(0.35)


@pytest.mark.parametrize(("low", "high", "bins", "minimum", "width"), [
    (550, 720, 30, 5, 10), (0, 1_980_000, 20, 10_000, 100_000), (0.045, 0.073, 20, 0.0005, 0.002),
    (5, 5, 20, 0, 1.0), (0, 95, 20, 10, 10)])
def test_nice_width(low, high, bins, minimum, width):
    assert nice_width(low, high, bins, minimum) == pytest.approx(width)


@pytest.fixture(scope="module")
def tax_sme(samples_dir):
    from product_specs.catalog import catalog_path
    from validation.data.sample_data import default_sample

    checked = load_checked(catalog_path("tax_sme_loan"))
    return compute_metrics(simulate(checked, default_sample("tax_sme_loan", samples_dir)))


def test_tax_sme_expected_loss_of_declined_is_over_three_times_approved(tax_sme):
    """The seed's case study: the strategy declines the applicants who would lose money."""
    assert tax_sme.value("declined_to_approved_loss_ratio") > 3


def test_tax_sme_decides_over_95_percent_without_manual_review(tax_sme):
    """The seed's case study: more than 95% decided without a person."""
    assert tax_sme.value("automation_rate") > 0.95


def test_a_two_model_product_reports_its_matrix_cell_by_cell():
    """The tax SME loan's two models: every band x grade cell, its final band as the matrix says, the cells
    adding up to the population and the decisions, and the cells in the tables and the HTML report."""
    from product_specs.catalog import catalog_path
    from validation.analysis.report import render_report
    from validation.analysis.simulate import run_simulation
    from validation.analysis.tables import metrics_tables
    from validation.data.sample_data import generate

    checked = load_checked(catalog_path("tax_sme_loan"))
    second = checked.spec.scorecard.second
    m = compute_metrics(run_simulation(checked, generate(checked, 4_000, seed=5)))
    cells = m.by_combination
    assert [(c.band, c.grade) for c in cells] == [(b.id, g.id) for b in checked.spec.decision.bands
                                                  for g in second.grades]
    assert all(c.final == second.matrix[c.band][c.grade] for c in cells)
    assert sum(c.applicants for c in cells) == m.applicants and sum(c.approve for c in cells) == m.approve
    by_final = {}
    for c in cells:
        by_final[c.final] = by_final.get(c.final, 0) + c.applicants
    assert by_final == {b.key: b.applicants for b in m.by_band if b.applicants}
    assert all(c.bad_rate is not None and 0 < c.pd < 1 for c in cells if c.applicants)
    assert "by_combination" in {t.id for t in metrics_tables(m)}
    html = render_report(m)
    assert 'id="chart-combination"' in html and "Two models combined" in html
    one = compute_metrics(run_simulation(load_checked(catalog_path("consumer_instalment_loan")),
                                         generate(load_checked(catalog_path("consumer_instalment_loan")), 500, seed=5)))
    assert one.by_combination == [] and 'id="chart-combination"' not in render_report(one)
