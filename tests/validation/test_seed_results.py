"""The seed's results, reproduced: each catalog product against its baseline (the bank's own policy) on
its default sample, every figure the case studies report beside the simulated one, and the shapes hold."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from designer.cli.app import app
from designer.use_cases import catalog_results
from product_specs import check_spec, load_checked
from product_specs.catalog import baseline_paths, catalog_paths
from validation.analysis.seed_results import (
    MEASURES,
    SEED_FIGURES_FILE,
    baseline_path,
    results_from_metrics,
    results_table,
    seed_figures,
)

pytestmark = pytest.mark.xdist_group("catalog_samples")


def test_every_catalog_product_has_a_clean_baseline_that_reads_its_data():
    assert len(baseline_paths()) == len(catalog_paths())
    for path in catalog_paths():
        product = load_checked(path)
        base_file = baseline_path(product.spec.product.id)
        baseline = load_checked(base_file)
        report = check_spec(baseline.spec)
        assert not report.findings, (base_file.name, [str(f) for f in report.findings])
        assert "baseline" in base_file.name and baseline.spec.product.id.endswith("_baseline")
        fields = {f.name: f for f in product.spec.fields}
        for f in baseline.spec.fields:  # the baseline decides the product's applicants: same names, same types
            assert f.name in fields and fields[f.name].type is f.type, (base_file.name, f.name)
            if f.categories:
                assert set(f.categories) == set(fields[f.name].categories), (base_file.name, f.name)


def test_seed_figures_name_catalog_products_and_known_measures():
    figures = seed_figures()
    assert set(figures) == {p.stem for p in catalog_paths()}
    assert {f.measure for fs in figures.values() for f in fs} <= set(MEASURES)
    assert sum(len(fs) for fs in figures.values()) >= 7


def test_a_malformed_seed_figures_file_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "figures.yaml"
    bad.write_text("tax_sme_loan:\n  - measure: approval_multiplier\n    reported: {zh: a, en: b}\n"
                   "    op: '>='\n    target: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="figures.yaml.*unknown measure"):
        seed_figures(bad)
    bad.write_text("tax_sme_loan:\n  - measure: approval_multiple\n    reported: {zh: a, en: b}\n"
                   "    op: between\n    target: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="between"):
        seed_figures(bad)


def test_a_figure_is_judged_only_where_the_seed_reports_one_and_unavailable_is_never_zero():
    from validation.analysis.metrics import Figure

    class M:
        product_id, product_name_zh, product_name_en, applicants = "p", "产品", "Product", 100

        def __init__(self, **values):
            self.figures = [Figure(k, k, k, v) for k, v in values.items()]

    product = M(approval_rate=0.5, refer_rate=0.02, automation_rate=0.98, bad_rate_approved=None,
                pd_approved=0.004, declined_to_approved_loss_ratio=4.0)
    product.product_id = "tax_sme_loan"
    baseline = M(approval_rate=0.1, refer_rate=0.05, automation_rate=0.6)
    r = results_from_metrics(product, baseline, seed_figures()["tax_sme_loan"], {}, "test")
    by = {m.key: m for m in r.measures}
    assert by["approval_multiple"].value == pytest.approx(0.5 / 0.15)  # the baseline's reviews count as approved
    assert by["approval_multiple"].holds is True
    assert by["bad_rate_approved"].basis == "model PD" and by["bad_rate_approved"].value == 0.004
    assert by["fraud_cut"].value is None and by["fraud_cut"].note and by["fraud_cut"].holds is None
    assert by["declined_to_approved_el"].target is None  # the tax case reports no such figure
    assert r.holds is True
    table = results_table(r)
    assert len(table.rows) == len(MEASURES) and table.row_status[0] is True


@pytest.fixture(scope="module")
def results(samples_dir):
    return {r.product_id: r for r in catalog_results(samples_dir)}


# Seed figures this build does not reproduce yet, and why (strict: the test fails once one holds, so the
# entry must go).
KNOWN_GAPS: dict[tuple[str, str], str] = {}
SEED = [(product, f.measure) for product, figures in sorted(seed_figures().items()) for f in figures]


@pytest.mark.parametrize(("product_id", "measure"), [
    pytest.param(p, m, marks=pytest.mark.xfail(reason=KNOWN_GAPS[p, m], strict=True)) if (p, m) in KNOWN_GAPS
    else (p, m) for p, m in SEED], ids=[f"{p}-{m}" for p, m in SEED])
def test_the_seeds_figure_holds_on_the_products_default_sample(results, product_id, measure):
    r = results[product_id]
    assert r.baseline_id == f"{product_id}_baseline"
    m = next(m for m in r.measures if m.key == measure)
    assert m.target is not None and m.value is not None, (product_id, measure, m.note)
    assert m.holds is True, (product_id, measure, m.value, m.target)


def test_every_product_reports_every_measure_and_what_it_rests_on(results):
    figures = seed_figures()
    assert set(results) == {p.stem for p in catalog_paths()}
    for product_id, r in results.items():
        assert [m.key for m in r.measures] == list(MEASURES)
        judged = {m.key for m in r.measures if m.target is not None}
        assert judged == {f.measure for f in figures[product_id]}
        for m in r.measures:
            assert m.basis and (m.value is not None or m.note), (product_id, m.key)
        approval = next(m for m in r.measures if m.key == "approval_multiple")
        assert approval.value > 1 and 0 < approval.baseline < 1  # every product approves more than its baseline


def test_catalog_results_on_the_command_line(results, samples_dir):
    run = CliRunner().invoke(app, ["catalog", "--results", "--json"])
    assert run.exit_code in (0, 1) and run.exception is None or isinstance(run.exception, SystemExit), run.output
    printed = json.loads(run.stdout)
    assert [p["product_id"] for p in printed] == sorted(results)
    tax = next(p for p in printed if p["product_id"] == "tax_sme_loan")
    assert tax["holds"] is True and {m["key"] for m in tax["measures"]} == set(MEASURES)
    assert run.exit_code == (1 if any(p["holds"] is False for p in printed) else 0)
    assert str(SEED_FIGURES_FILE.name) and all(p["applicants"] > 0 for p in printed)
