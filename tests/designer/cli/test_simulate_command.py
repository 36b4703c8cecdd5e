"""`loanstudio simulate`: every figure printed, the report written, exit codes, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from designer.cli import app
from product_specs.catalog import catalog_paths
from validation.analysis.metrics import FIGURE_LABELS
from validation.analysis.report import CHART_IDS
from validation.data.sample_data import default_sample

FIXTURES = Path(__file__).parents[2] / "validation" / "fixtures"
TINY_SPEC = FIXTURES / "tiny_product.yaml"
TINY_DATA = FIXTURES / "tiny_population.csv"
SECTIONS = ("Key figures", "Decision funnel", "By segment", "By channel", "By band", "Rule hits and waterfall",
            "Score distribution", "Expected loss", "Limits and APR of approved", "Limit histogram", "APR histogram",
            "Checks of the simulated outputs")


def run(*args: str):
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_each_catalog_product_prints_every_figure_and_writes_the_report(path, tmp_path, samples_dir):
    report = tmp_path / "report.html"
    result = run(str(path), "--report", str(report))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for _zh, en in FIGURE_LABELS.values():
        assert en in out, en
    for section in SECTIONS:
        assert section in out, section
    assert "PASS" in out or "FAIL" in out
    page = report.read_text(encoding="utf-8")
    for chart in CHART_IDS:
        assert f'id="chart-{chart}"' in page
    sample = pq.read_table(default_sample(path.stem, samples_dir), columns=["applicant_name", "id_number", "mobile_phone"])
    raw = {v for column in sample.columns for v in column.to_pylist()[:200] if v}
    assert raw and not [v for v in raw if v in page or v in out]


def test_json_holds_every_figure_and_the_output_checks():
    result = run(str(TINY_SPEC), "--data", str(TINY_DATA), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    figures = {f["key"]: f for f in data["metrics"]["figures"]}
    assert figures["approval_rate"]["value"] == pytest.approx(0.35)
    assert figures["refer_rate"]["passed"] is False
    assert data["comparison"] is None
    assert data["output_checks"]["available"] and data["output_checks"]["ok"] is True


def test_champion_comparison_is_printed(tmp_path):
    challenger = tmp_path / "challenger.yaml"
    challenger.write_text(TINY_SPEC.read_text(encoding="utf-8").replace("min_score: 640", "min_score: 680"),
                          encoding="utf-8")
    result = run(str(challenger), "--data", str(TINY_DATA), "--champion", str(TINY_SPEC),
                 "--report", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Swap-out" in out and "decision.bands[b].min_score" in out
    assert "3 applicants change decision, limit or APR" in out
    assert 'id="diff-table"' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_champion_json_has_swap_sets(tmp_path):
    challenger = tmp_path / "challenger.yaml"
    challenger.write_text(TINY_SPEC.read_text(encoding="utf-8").replace("min_score: 640", "min_score: 680"),
                          encoding="utf-8")
    data = json.loads(run(str(challenger), "--data", str(TINY_DATA), "--champion", str(TINY_SPEC),
                          "--json").stdout)
    assert data["comparison"]["swap_out"]["count"] == 2
    assert [r["applicant_id"] for r in data["comparison"]["diff_rows"]] == ["A03", "A04", "A10"]


@pytest.mark.parametrize("make_data", [
    lambda tmp: tmp / "missing.parquet",
    lambda tmp: _write(tmp / "broken.parquet", "not parquet"),
    lambda tmp: _write(tmp / "few.csv", "applicant_id,age\nA01,30\n"),
    lambda tmp: _write(tmp / "data.json", "{}"),
], ids=["missing", "not-parquet", "missing-columns", "unknown-format"])
def test_unusable_data_exits_2_with_a_message(make_data, tmp_path):
    result = run(str(TINY_SPEC), "--data", str(make_data(tmp_path)))
    assert result.exit_code == 2
    assert result.stderr.strip() and "Traceback" not in result.output


def test_a_spec_with_errors_exits_1(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(TINY_SPEC.read_text(encoding="utf-8").replace("when: age < 22", "when: agee < 22"),
                      encoding="utf-8")
    result = run(str(broken), "--data", str(TINY_DATA))
    assert result.exit_code == 1
    assert "agee" in result.stderr


def test_an_unreadable_champion_exits_2(tmp_path):
    result = run(str(TINY_SPEC), "--data", str(TINY_DATA), "--champion", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2


def test_an_unwritable_report_exits_2(tmp_path):
    result = run(str(TINY_SPEC), "--data", str(TINY_DATA), "--report", str(tmp_path / "no" / "dir" / "r.html"))
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_without_data_a_non_catalog_product_uses_a_generated_sample(tmp_path):
    spec = tmp_path / "tiny.yaml"
    shutil.copy(TINY_SPEC, spec)
    result = run(str(spec))
    assert result.exit_code == 0, result.output
    assert "generated applicants" in result.stderr
    assert "20,000 applicants" in result.stdout


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_says_when_the_data_cannot_tell_a_rule_apart(sample_product, sample_product_path, tmp_path):
    """Issue 15: a rule that never hits or a constant field makes the figures meaningless: say so."""
    from validation.data.sample_data import generate

    frame = generate(sample_product, 2000, seed=1)
    frame["age"] = 40
    frame.to_parquet(tmp_path / "flat.parquet")
    result = run(str(sample_product_path), "--data", str(tmp_path / "flat.parquet"))
    assert result.exit_code in (0, 1), result.output
    assert "note: admission[R01] never hits on these 2,000 applicants" in result.stdout
    assert "note: field age is 40 on every row" in result.stdout
