"""The risk analyst's commands end to end: spec infer -> scorecard train -> cutoffs -> check -> simulate
--decisions-out, on every catalog product and on a spec inferred from a plain file; calibrate and drift;
clean errors, never a traceback."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from designer.cli import app
from product_specs import load_checked
from product_specs.catalog import catalog_path, catalog_paths
from validation.analysis.simulate import DECISION_FILE_COLUMNS
from validation.data.sample_data import write

ROWS = 4_000


def run(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _chain(spec, data, tmp_path, target: str = "bad_flag"):
    """train -> cutoffs -> check -> simulate --decisions-out --report, each asserted; the decisions frame."""
    trained, cut = tmp_path / "trained.yaml", tmp_path / "cut.yaml"
    result = run("scorecard", "train", spec, "--data", data, "--target", target, "--out", trained)
    assert result.exit_code == 0, result.output
    assert "Model quality" in result.stdout and "Calibration" in result.stdout and "Odds table" in result.stdout
    assert "wrote the trained spec" in result.stdout
    if load_checked(trained).spec.scorecard.second is not None:  # two models: the second is trained after
        both = tmp_path / "trained_both.yaml"
        result = run("scorecard", "train", trained, "--data", data, "--target", target, "--model", "second",
                     "--out", both)
        assert result.exit_code == 0, result.output
        assert "both together (the PD fitted on both scores)" in " ".join(result.stdout.split())
        assert "x second_score" in result.stdout and "wrote the trained spec" in result.stdout
        trained = both
    result = run("cutoffs", trained, "--data", data, "--target", target, "--out", cut)
    assert result.exit_code == 0, result.output
    assert "Frontier" in result.stdout and "Swap sets" in result.stdout
    result = run("check", cut)
    assert result.exit_code == 0 and "0 error(s)" in result.stdout, result.output
    decisions, report = tmp_path / "decisions.parquet", tmp_path / "report.html"
    result = run("simulate", cut, "--data", data, "--decisions-out", decisions, "--report", report)
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert "Scorecard model" in html and "EL rate of declined (model PD, on requested)" in html
    frame = pd.read_parquet(decisions)
    second = ("second_score", "second_grade") if load_checked(cut).spec.scorecard.second is not None else ()
    assert tuple(frame.columns) == DECISION_FILE_COLUMNS + second
    declined = frame[frame["decision"] == "decline"]
    assert frame["pd"].between(0, 1).all() and len(declined)
    assert declined["reasons"].map(lambda r: any(c.startswith("S") for c in r)).any()  # scorecard reasons
    return frame


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_train_cutoffs_check_simulate_on_every_catalog_product(path, tmp_path):
    data = tmp_path / "history.parquet"
    write(load_checked(path), data, ROWS, seed=21)
    frame = _chain(path, data, tmp_path)
    assert len(frame) == ROWS


def test_infer_train_cutoffs_check_simulate_from_a_plain_file(tmp_path):
    """A bank's history file and no spec: three commands to a trained, checked product."""
    parquet = tmp_path / "sample.parquet"
    write(load_checked(catalog_path("consumer_instalment_loan")), parquet, ROWS, seed=22)
    plain = pd.read_parquet(parquet).drop(columns=["max_dpd_12m", "loss_given_default", "fraud_flag", "true_pd_12m"])
    plain = plain.rename(columns={"bad_flag": "went_bad", "applicant_id": "loan_no"})
    csv = tmp_path / "history.csv"
    plain.to_csv(csv, index=False)
    spec = tmp_path / "drafted.yaml"
    result = run("spec", "infer", "--data", csv, "--target", "went_bad", "--id", "loan_no", "--out", spec)
    assert result.exit_code == 0, result.output
    assert "Data dictionary" in result.stdout and "PII" in result.stdout
    assert run("check", spec).exit_code == 0
    assert load_checked(spec).spec.product.id_field == "loan_no"
    frame = _chain(spec, csv, tmp_path, target="went_bad")
    assert len(frame) == ROWS
    assert frame["applicant_id"].tolist() == plain["loan_no"].astype(str).tolist()  # the --id column names rows


def test_calibrate_and_drift(tmp_path):
    spec = catalog_path("tax_sme_loan")
    checked = load_checked(spec)
    base, current = tmp_path / "base.parquet", tmp_path / "current.parquet"
    write(checked, base, ROWS, seed=1)
    write(checked, current, ROWS, seed=2)
    out = tmp_path / "calibrated.yaml"
    result = run("scorecard", "calibrate", spec, "--data", base, "--out", out)
    assert result.exit_code == 0, result.output
    # the catalog product carries a fitted calibration; newer outcomes refit it
    assert "PD was from the calibration" in result.stdout and "0 warning(s)" in result.stdout
    calibrated = load_checked(out)
    assert calibrated.pd_mapping().source == "calibration"
    # two scorecards: the PD is refitted on both scores, a slope each
    assert calibrated.pd_mapping().second_slope < 0 and "x second_score" in result.stdout
    assert calibrated.spec.scorecard.points_hash() == calibrated.spec.scorecard.calibration.points_hash
    result = run("drift", spec, "--baseline", base, "--current", current, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["score"]["light"] == "stable" and len(report["characteristics"]) == 7
    assert report["second_score"]["light"] == "stable"  # the firm's tax score has its own PSI


@pytest.mark.parametrize("args", [
    ("scorecard", "train", "{spec}", "--data", "{missing}"),
    ("scorecard", "train", "{spec}", "--data", "{data}", "--target", "no_such_column"),
    ("cutoffs", "{spec}", "--data", "{missing}"),
    ("drift", "{spec}", "--baseline", "{data}", "--current", "{missing}"),
    ("spec", "infer", "--data", "{missing}", "--out", "{out}"),
    ("scorecard", "calibrate", "{spec}", "--data", "{data}", "--out", "{tmp}/no/such/folder/x.yaml"),
    ("scorecard", "train", "{one_card}", "--data", "{data}", "--model", "second"),
])
def test_unusable_inputs_exit_2_with_a_message(args, tmp_path):
    data = tmp_path / "data.parquet"
    write(load_checked(catalog_path("tax_sme_loan")), data, 300, seed=1)
    values = {"spec": catalog_path("tax_sme_loan"), "missing": tmp_path / "missing.csv", "data": data,
              "out": tmp_path / "x.yaml", "tmp": tmp_path, "one_card": catalog_path("consumer_instalment_loan")}
    result = run(*(a.format(**values) for a in args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.strip()
