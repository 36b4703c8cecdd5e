"""The corpus of bad inputs (tests/product_specs/bad_inputs/cases.yaml): each is answered with its exit
code and message, never a traceback, and invisible or control characters are never echoed raw."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.spec_edits import MINI, edited, load_cases, mini_text, to_yaml
from typer.testing import CliRunner

from designer.cli import app

CASES = load_cases(Path(__file__).parents[2] / "product_specs" / "bad_inputs" / "cases.yaml")


def _spec_bytes(spec) -> bytes:
    if "edit" in spec:
        edit = spec["edit"]
        return to_yaml(edited(edit.get("set"), edit.get("delete", ()), edit.get("append"))).encode("utf-8")
    old, new = spec["replace"]
    if "many" in spec:
        text, count = spec["many"]
        new = new.replace("{many}", text * count)
    text = mini_text()
    assert old in text, f"{old!r} is not in the mini spec"
    before, after = text.split(old, 1)
    return before.encode("utf-8") + new.encode(spec.get("encoding", "utf-8")) + after.encode("utf-8")


def _fill(arg: str, names: dict) -> str:
    for key, value in names.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


def test_the_corpus_covers_both_lists_of_the_issue():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, tmp_path):
    names = {"tmp": str(tmp_path), "mini": str(MINI), "spec": str(tmp_path / "spec.yaml"),
             "applicant": str(tmp_path / "applicant.json")}
    if "spec" in case:
        (tmp_path / "spec.yaml").write_bytes(_spec_bytes(case["spec"]))
    if "applicant" in case:
        (tmp_path / "applicant.json").write_text(case["applicant"], encoding="utf-8")
    args = [_fill(a, names) for a in case["command"]]
    result = CliRunner().invoke(app, args)
    shown = f"exit {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.output, shown
    assert result.exit_code == case["exit"], shown
    for want in case.get("stderr", []):
        assert want in result.stderr, f"{want!r} not on stderr\n{shown}"
    for want in case.get("stdout", []):
        assert want in result.stdout, f"{want!r} not on stdout\n{shown}"
    for pattern in case.get("stderr_re", []):
        assert re.search(pattern, result.stderr), f"/{pattern}/ not on stderr\n{shown}"
    for unwanted in case.get("absent", []):
        assert unwanted not in result.stdout + result.stderr, f"{unwanted!r} was printed\n{shown}"
