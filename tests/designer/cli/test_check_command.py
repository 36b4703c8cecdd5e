"""The `loanstudio check` and `schema` commands: exit codes, finding lines, JSON output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.spec_edits import MINI, edited, mini_text, to_yaml
from typer.testing import CliRunner

from designer.cli import app

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_spec_exits_0():
    result = run("check", str(MINI))
    assert result.exit_code == 0
    assert "0 error(s), 0 warning(s)" in result.output


def test_warnings_alone_exit_0(tmp_path):
    path = write(tmp_path, to_yaml(edited({"pricing.band_spreads[c]": "0.07"})))
    result = run("check", str(path))
    assert result.exit_code == 0
    assert "warning: pricing: base + spreads can reach 0.19, above the cap 0.18" in result.output
    assert "0 error(s), 1 warning(s)" in result.output


def test_errors_exit_1_with_place_and_did_you_mean(tmp_path):
    path = write(tmp_path, to_yaml(edited({"admission[R02].when": "ovredue_count > 2"})))
    result = run("check", str(path))
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "ovredue_count" in text)
    assert (f"{path}:{line}:" in result.output and "error: admission[R02].when: unknown field 'ovredue_count' "
            "(did you mean 'overdue_count_24m'?)" in result.output), result.output
    assert "1 error(s)" in result.output


def test_missing_file_exits_2(tmp_path):
    result = run("check", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2
    assert "cannot read file" in result.output


def test_yaml_syntax_error_exits_2_with_line_and_column(tmp_path):
    lines = mini_text().splitlines()
    lines[4] = "  kind sme_business: [x"  # an unclosed flow sequence on line 5
    path = write(tmp_path, "\n".join(lines) + "\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    match = re.search(rf"{re.escape(str(path))}:(\d+):(\d+): error: .*YAML syntax error", result.output)
    assert match, result.output
    assert int(match.group(1)) >= 5 and int(match.group(2)) >= 1
    assert len([x for x in result.output.splitlines() if "YAML syntax error" in x]) == 1


def test_mapping_value_error_points_at_the_bad_line(tmp_path):
    path = write(tmp_path, "product:\n  id: x\n   name: y\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output and "mapping values are not allowed here" in result.output


def test_file_that_is_not_a_spec_exits_2(tmp_path):
    result = run("check", str(write(tmp_path, "- a\n- b\n")))
    assert result.exit_code == 2
    assert "does not hold a product spec" in result.output


def test_schema_error_exits_1_with_line(tmp_path):
    path = write(tmp_path, to_yaml(edited({"admission[R02].action": "approve"})))
    result = run("check", str(path))
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "action: approve" in text)
    assert f"{path}:{line}:" in result.output and "admission[R02].action" in result.output


@pytest.mark.parametrize(("edits", "exit_code"), [
    ({}, 0),
    ({"admission[R02].when": "ovredue_count > 2", "pricing.floor": "0.2"}, 1),
])
def test_json_format(tmp_path, edits, exit_code):
    path = write(tmp_path, to_yaml(edited(edits)))
    result = run("check", str(path), "--format", "json")
    assert result.exit_code == exit_code
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    assert len(findings) == (0 if exit_code == 0 else 2)
    for f in findings:
        assert {"path", "message", "hint", "severity", "code", "line", "column"} <= set(f)
        assert f["severity"] in ("error", "warning")
    if findings:
        rule = next(f for f in findings if f["path"] == "admission[R02].when")
        assert rule["hint"] == "did you mean 'overdue_count_24m'?"
        assert rule["extra"]["rule_column"] == 1


def test_json_format_for_unreadable_files(tmp_path):
    result = run("check", str(write(tmp_path, "product: [\n")), "--format", "json")
    assert result.exit_code == 2
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "yaml_syntax" and finding["line"] and finding["column"]


def test_console_script_exit_codes(tmp_path):
    """The real entry point, in a fresh interpreter: exit codes and no traceback."""
    for target, code in ((MINI, 0), (tmp_path / "missing.yaml", 2)):
        proc = subprocess.run([sys.executable, "-m", "designer.cli", "check", str(target)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr


def test_schema_command_prints_the_json_schema():
    from product_specs import json_schema

    result = run("schema")
    assert result.exit_code == 0 and json.loads(result.stdout) == json.loads(json_schema())
