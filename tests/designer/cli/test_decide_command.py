"""`loanstudio decide`, `loanstudio test` and the example tests inside `loanstudio check`: output, exit codes,
readable errors and never a traceback."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from designer.cli import app
from generators.decision import plain_applicant
from product_specs import load_spec, save_spec
from product_specs.catalog import catalog_path, catalog_paths

TAX = catalog_path("tax_sme_loan")
DECISION_KEYS = {"decision", "segment", "score", "pd", "band", "reasons", "limit", "apr", "channel", "trace",
                 "product_id", "product_version", "spec_hash"}


def invoke(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def tax_applicant() -> dict:
    return plain_applicant(load_spec(TAX).tests[0].applicant)


def test_decide_reads_a_file(tmp_path):
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps(tax_applicant(), ensure_ascii=False), encoding="utf-8")
    result = invoke("decide", TAX, "--applicant", path)
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert set(decision) == DECISION_KEYS | {"second_score", "second_grade"}  # the tax loan's two models
    assert decision["product_id"] == "tax_sme_loan"
    assert decision["decision"] in ("approve", "refer", "decline")
    assert [step["step"] for step in decision["trace"]][:2] == ["derived", "admission"]
    assert all(set(r) == {"code", "action", "text_zh", "text_en"} for r in decision["reasons"])


def test_decide_reads_stdin_and_matches_the_example():
    spec = load_spec(TAX)
    expect = spec.tests[0].expect
    result = invoke("decide", TAX, "-a", "-", "--no-trace", stdin=json.dumps(tax_applicant()))
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["trace"] == []
    assert decision["decision"] == expect.decision.value
    assert decision["score"] == expect.score
    assert [r["code"] for r in decision["reasons"]] == expect.reasons
    if expect.limit is not None:
        assert Decimal(str(decision["limit"])) == expect.limit


@pytest.mark.parametrize("edit, field", [
    ({"owner_age": 17}, "owner_age"),
    ({"annual_tax_sales": "lots"}, "annual_tax_sales"),
    ({"tax_grade": "Z"}, "tax_grade"),
    ({"is_blacklisted": None}, "is_blacklisted"),
])
def test_decide_input_error_exits_1_with_details(edit, field):
    result = invoke("decide", TAX, "-a", "-", stdin=json.dumps(dict(tax_applicant(), **edit)))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["error"] == "invalid applicant"
    assert [d["field"] for d in report["details"]] == [field]
    assert "decision" not in report


def test_decide_missing_field_is_an_input_error():
    applicant = tax_applicant()
    del applicant["annual_tax_sales"]
    result = invoke("decide", TAX, "-a", "-", stdin=json.dumps(applicant))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["details"] == [{"field": "annual_tax_sales",
                                                     "message": "required value is missing"}]


def test_decide_invalid_json_exits_2_with_line_and_column():
    result = invoke("decide", TAX, "-a", "-", stdin='{\n  "owner_age": 45,\n  "channel": mobile_app\n}')
    assert result.exit_code == 2
    assert "-:3:14: invalid JSON" in result.stderr
    assert result.stdout == ""


def test_decide_json_that_is_not_an_object_exits_1():
    result = invoke("decide", TAX, "-a", "-", stdin="[1, 2]")
    assert result.exit_code == 1
    assert "must be a JSON object" in result.stderr


def test_decide_missing_file_exits_2(tmp_path):
    result = invoke("decide", TAX, "-a", tmp_path / "nowhere.json")
    assert result.exit_code == 2
    assert "cannot read applicant" in result.stderr


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_test_command_passes_on_the_catalog(path):
    result = invoke("test", path)
    assert result.exit_code == 0, result.output
    spec = load_spec(path)
    assert result.stdout.count("PASS [python]") == result.stdout.count("PASS [sql]") == len(spec.tests)
    assert f"{2 * len(spec.tests)} passed, 0 failed" in result.stdout


def _changed_copy(tmp_path):
    """The tax spec with the first example expecting a score 1 point higher."""
    spec = load_spec(TAX)
    first = spec.tests[0]
    expected = first.expect.score
    spec.tests[0] = first.model_copy(update={"expect": first.expect.model_copy(update={"score": expected + 1})})
    path = tmp_path / "tax_sme_loan.yaml"
    save_spec(spec, path)
    return path, first.name, expected


def test_test_command_shows_a_readable_diff(tmp_path):
    path, name, score = _changed_copy(tmp_path)
    result = invoke("test", path)
    assert result.exit_code == 1
    for backend in ("python", "sql"):
        assert f"FAIL [{backend}] {name}" in result.stdout
    assert f"     score: expected {score + 1}, got {score}" in result.stdout
    total = 2 * len(load_spec(TAX).tests)
    assert f"{total - 2} passed, 2 failed" in result.stdout


def test_test_command_single_backend_and_unknown_backend(tmp_path):
    path, name, _ = _changed_copy(tmp_path)
    result = invoke("test", path, "--backend", "sql")
    assert result.exit_code == 1
    assert f"FAIL [sql] {name}" in result.stdout and "[python]" not in result.stdout
    result = invoke("test", path, "--backend", "cobol")
    assert result.exit_code == 2
    assert "unknown backend" in result.stderr


def test_check_reports_a_failing_example_test_as_an_error(tmp_path):
    path, name, score = _changed_copy(tmp_path)
    result = invoke("check", path)
    assert result.exit_code == 1
    assert f"tests[{name}]: example test fails: score: expected {score + 1}, got {score}" in result.stderr
    assert "1 error(s)" in result.stdout
    clean = invoke("check", TAX)
    assert clean.exit_code == 0, clean.output
