"""The HTML report: self-contained, bilingual, charts that render, pass/fail colouring, no personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from product_specs import check_spec, load_checked
from validation.analysis.compare import compare_products
from validation.analysis.metrics import compute_metrics
from validation.analysis.report import CHART_IDS, MODEL_CHART_IDS, CheckLine, render_report, write_report
from validation.analysis.simulate import simulate

FIXTURES = Path(__file__).parent / "fixtures"
TINY_DATA = FIXTURES / "tiny_population.csv"


def embedded_charts(html: str) -> dict[str, dict]:
    """Chart id -> Vega-Lite spec of every chart the page draws."""
    out = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r'vegaEmbed\("#chart-(\w+)", ', html):
        spec, _ = decoder.raw_decode(html, match.end())
        out[match.group(1)] = spec
    return out


def chart_values(spec: dict) -> list[dict]:
    """The inline data of a (possibly layered) chart."""
    data = spec.get("data") or spec["layer"][0]["data"]
    return data["values"]


@pytest.fixture(scope="module")
def tiny():
    return load_checked(FIXTURES / "tiny_product.yaml")


@pytest.fixture(scope="module")
def html(tiny) -> str:
    return render_report(compute_metrics(simulate(tiny, TINY_DATA)),
                         checks=[CheckLine("apr: APR between 0.05 and 0.24", True),
                                 CheckLine("limit: a multiple of 1000", False, "2 row(s)")])


@pytest.fixture(scope="module")
def comparison_html(tiny) -> str:
    spec = tiny.spec.model_copy(deep=True)
    spec.decision.bands[1].min_score = 680
    challenger = check_spec(spec).checked
    _, result, comparison = compare_products(tiny, challenger, TINY_DATA)
    return render_report(compute_metrics(result), comparison)


def test_the_page_is_self_contained(html):
    assert html.startswith("<!DOCTYPE html>")
    assert "<script src" not in html and "<link" not in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "window.vegaEmbed=" in html  # the Vega bundle itself is inline


def test_every_chart_is_drawn(html):
    charts = embedded_charts(html)
    assert set(charts) == set(CHART_IDS) | set(MODEL_CHART_IDS)  # the tiny population has outcomes
    for chart_id in CHART_IDS:
        assert f'id="chart-{chart_id}"' in html


def test_the_charts_render_to_svg(html):
    """The specs compile and draw (the same Vega-Lite the page runs), with the figures in them."""
    import vl_convert as vlc

    charts = embedded_charts(html)
    svgs = {k: vlc.vegalite_to_svg(spec) for k, spec in charts.items()}
    assert all(svg.startswith("<svg") for svg in svgs.values())
    funnel = chart_values(charts["funnel"])
    assert [d["count"] for d in funnel] == [20, 16, 15, 13, 12, 7]
    waterfall = chart_values(charts["waterfall"])
    assert [(d["step"].split()[0], d["count"]) for d in waterfall] == [
        ("申请", 20), ("R01", 2), ("R02", 2), ("CH01", 1), ("M01", 2), ("L01", 1), ("R03", 1), ("W01", 1),
        ("T01", 1), ("M02", 2), ("通过", 7)]


def test_headings_are_bilingual_and_figures_coloured_by_verdict(html):
    for zh, en in (("核心指标", "Key figures"), ("决策漏斗", "Decision funnel"), ("规则命中与瀑布", "Rule hits"),
                   ("评分分布", "Score distribution"), ("预期损失", "Expected loss"), ("额度与利率分布", "APR")):
        assert zh in html and en in html
    rows = re.findall(r'<tr class="(pass|fail)-row"><td>([^<]+)', html)
    assert ("fail", "转人工率 ") in rows and ("pass", "通过客户预期损失率（模型PD，按授信额度） ") in rows
    assert ("pass", "通过率 ") in rows
    assert "1 项指标未达到风险偏好" in html


def test_output_checks_are_listed(html):
    assert "limit: a multiple of 1000" in html and "2 row(s)" in html


def test_no_personal_data_reaches_the_page(html, comparison_html):
    names = pacsv.read_csv(TINY_DATA).column("applicant_name").to_pylist()
    for page in (html, comparison_html):
        assert not [n for n in names if n in page]


def test_the_comparison_section_has_swaps_changes_and_a_filterable_diff(comparison_html):
    page = comparison_html
    assert "Swap-out" in page and "Champion / challenger" in page
    assert "decision.bands[b].min_score" in page
    assert 'id="diff-table"' in page and 'id="diff-filter"' in page and "sortable" in page
    body = page.split('id="diff-table"', 1)[1].split("</table>", 1)[0]
    assert [re.sub("<[^>]+>", "", c) for c in re.findall(r"<tr><td>\d+</td><td>(\w+)</td>", body)] == [
        "A03", "A04", "A10"]
    assert "transitions" in embedded_charts(page)


def test_write_report(tiny, tmp_path):
    path = write_report(tmp_path / "r.html", compute_metrics(simulate(tiny, TINY_DATA)))
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_spec_text_is_escaped(tiny):
    spec = tiny.spec.model_copy(deep=True)
    spec.admission[0].name.en = "<script>alert(1)</script>"
    checked = check_spec(spec).checked
    page = render_report(compute_metrics(simulate(checked, TINY_DATA)))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_report_has_a_model_section_with_declined_el_labelled_model_based(html):
    assert "Scorecard model" in html and "Calibration (predicted vs observed)" in html
    assert "Odds table" in html and "Predicted PD (model)" in html and "AUC" in html
    assert "EL rate of declined (model PD, on requested)" in html
    assert "Loss rate (observed)" in html and "model PD (declared scaling, not fitted) for every applicant" in html
