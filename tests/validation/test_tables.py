"""The figures laid out once as tables: every renderer (terminal, HTML, designer) draws the same cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from product_specs import load_checked
from validation.analysis.compare import compare_results
from validation.analysis.metrics import compute_metrics
from validation.analysis.simulate import simulate
from validation.analysis.tables import Bi, Column, comparison_tables, format_cell, metrics_tables

FIXTURES = Path(__file__).parent / "fixtures"
TINY_DATA = FIXTURES / "tiny_population.csv"


@pytest.fixture(scope="module")
def tiny():
    return load_checked(FIXTURES / "tiny_product.yaml")


@pytest.fixture(scope="module")
def tables(tiny):
    return {t.id: t for t in metrics_tables(compute_metrics(simulate(tiny, TINY_DATA)))}


def test_every_row_has_one_cell_per_column(tables):
    assert {"figures", "funnel", "by_segment", "by_channel", "by_band", "rules", "score_histogram",
            "expected_loss", "distributions", "limit_histogram", "apr_histogram"} <= set(tables)
    for t in tables.values():
        assert t.rows, t.id
        assert all(len(row) == len(t.columns) for row in t.rows), t.id
        assert not t.row_status or len(t.row_status) == len(t.rows)


def test_the_funnel_holds_the_hand_counted_figures(tables):
    assert [row[1] for row in tables["funnel"].rows] == [20, 16, 15, 13, 12, 7]
    assert tables["funnel"].records("en")[0] == {"Step": "Applicants", "Applicants": "20", "Share": "100.0%"}
    assert tables["funnel"].records("zh")[0] == {"步骤": "申请", "人数": "20", "占比": "100.0%"}


def test_figures_carry_their_verdict(tables):
    t = tables["figures"]
    approval = next(row for row in t.rows if row[0].en == "Approval rate")
    assert approval[1] == "35.00%" and approval[3] is True
    assert False in t.row_status and True in t.row_status


@pytest.mark.parametrize("value, unit, text", [
    (0.0576, "rate", "5.76%"), (1234567.8, "money", "1,234,568"), (12345, "count", "12,345"), (0.012, "pp", "+1.20 pp"),
    (3.5, "ratio", "3.50×"), (None, "rate", "—"), (True, "verdict", "PASS"), (Bi("通过", "Pass"), "text", "通过 / Pass"),
])
def test_cells_are_formatted_by_their_unit(value, unit, text):
    assert format_cell(value, Column(Bi("x", "x"), unit)) == text


def test_a_comparison_lays_out_swaps_and_diff(tiny):
    result = simulate(tiny, TINY_DATA)
    t = {x.id: x for x in comparison_tables(compare_results(result, result))}
    assert [row[1] for row in t["swaps"].rows] == [0, 0]
    assert t["diff"].rows == () and t["diff"].extra["total"] == 0
