"""Static checks (case table in check_cases.yaml); the `check` command is tested in tests/designer/cli."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.spec_edits import MINI, edited, findings_of, load_cases, to_yaml

import product_specs.checks
from product_specs import Severity, check_spec, load_spec_with_lines

CASES = load_cases(Path(__file__).with_name("check_cases.yaml"))
ROOT = Path(__file__).resolve().parents[2]


def _matches(finding, want: dict) -> bool:
    return (finding.severity.value == want["severity"] and finding.code == want["code"]
            and finding.path == want["path"] and want.get("message", "") in finding.message
            and want.get("hint", "") in finding.hint and want.get("text", "") in str(finding)
            and not (want.get("no_hint") and finding.hint))


def test_mini_spec_is_clean():
    spec, lines = load_spec_with_lines(MINI)
    report = check_spec(spec, lines)
    assert report.findings == []
    assert report.checked is not None and report.checked.spec == spec


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_check_case(case):
    findings = findings_of(to_yaml(edited(case.get("set"), case.get("delete", ()), case.get("append"))))
    want = case["expect"]
    listing = "\n".join(f"  {f.severity.value} {f.code} {f}" for f in findings)
    assert any(_matches(f, want) for f in findings), f"no finding like {want}; got:\n{listing}"
    if want["severity"] == "warning":
        assert not [f for f in findings if f.severity is Severity.ERROR], f"a warning case has errors:\n{listing}"
    for f in findings:
        assert f.line is not None and f.column is not None, f"{f} does not say where it is in the file"
        assert "\n" not in str(f)


def test_every_check_has_a_case():
    folder = Path(product_specs.checks.__file__).parent  # one checker module per section
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")))
    codes = set(re.findall(r"\.(?:error|warn)\(\s*\"(\w+)\"", source)) | {"duplicate"}
    covered = {case["expect"]["code"] for case in CASES}
    assert codes <= covered, f"finding codes without a case in check_cases.yaml: {sorted(codes - covered)}"
