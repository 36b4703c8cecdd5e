"""Hostile texts in the workflow and post-loan sections (stage names, early-warning names and actions,
bucket names, collection notes, monitoring labels and categories) give a workflow service that compiles, is
lint-clean, passes its own lifecycle tests and carries every text through byte for byte as data; the
README shows them escaped, never as markup."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.spec_edits import edited, to_yaml

from designer.use_cases import check_file
from generators.services.workflow_service import generate_workflow_service

QUOTES = "it's \"quoted\" \\ back\\slash \\n \\x00"
LINES = "line one\nline two\n\tline three"
TEMPLATE = "{{ 7*7 }} {% if x %}{% endif %} {# c #} ${x} %(x)s {0}"
TRIPLE = "\"\"\" triple ''' \"\"\"'"
SQL = "'; drop table x; --"
SCRIPT = "</script><script>alert(1)</script>"
CHINESE = "中文文本：贷后（测试）"
MARKDOWN = "[link](javascript:alert(1)) | pipe | `tick` *star* # h"
TEXTS = [QUOTES, LINES, TEMPLATE, TRIPLE, SQL, SCRIPT, CHINESE, MARKDOWN]


def _text(i: int) -> dict:
    return {"zh": CHINESE + TEXTS[i % len(TEXTS)], "en": TEXTS[(i + 1) % len(TEXTS)] + SCRIPT}


def hostile_data() -> dict:
    data = edited()
    data["workflow"] = {"stages": [
        {"id": "apply", "name": _text(0), "role": "customer", "sla_hours": 1, "next": ["kyc"]},
        {"id": "kyc", "name": _text(1), "role": "system", "sla_hours": 0.5, "next": ["decision"]},
        {"id": "decision", "name": _text(2), "role": "system", "next": ["contract_signing", "review"]},
        {"id": "review", "name": _text(3), "role": "back_office", "manual": True, "sla_hours": 8,
         "next": ["contract_signing"]},
        {"id": "contract_signing", "name": _text(4), "role": "customer", "next": ["disbursement"]},
        {"id": "disbursement", "name": _text(5), "role": "system", "next": ["post_loan"]},
        {"id": "post_loan", "name": _text(6), "role": "post_loan", "next": ["collections"]},
        {"id": "collections", "name": _text(7), "role": "collections", "manual": True}]}
    pl = data["post_loan"]
    pl["monitoring_fields"][0]["label"] = _text(1)
    pl["monitoring_fields"].append({"name": "status_latest", "label": _text(2), "type": "category",
                                    "required": False, "categories": [QUOTES, SCRIPT, TEMPLATE, CHINESE]})
    pl["early_warning"][0]["name"] = _text(3)
    pl["early_warning"][0]["action"] = _text(4)
    for i, bucket in enumerate(pl["dpd_buckets"]):
        bucket["name"] = _text(i)
    for i, action in enumerate(pl["collection"]):
        action["note"] = _text(i + 5)
    return data


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-workflow")
    spec = folder / "hostile.yaml"
    spec.write_text(to_yaml(hostile_data()), encoding="utf-8")
    outcome = check_file(spec)
    assert outcome.errors == [], [str(f) for f in outcome.errors]
    return outcome.checked, generate_workflow_service(outcome.checked, folder / "out")


def _literal(path: Path, name: str):
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} assigns no {name}")


def test_texts_are_carried_through_as_data(hostile):
    checked, root = hostile
    lifecycle = _literal(root / "app" / "lifecycle.py", "LIFECYCLE")
    stages = {s.id: s for s in checked.spec.workflow.stages}
    for state in lifecycle["states"].values():
        if state["stage"] is not None:
            s = stages[state["stage"]["id"]]
            assert state["stage"]["name"] == {"zh": s.name.zh, "en": s.name.en}
    post_loan = _literal(root / "app" / "lifecycle.py", "POST_LOAN")
    assert [b["name"]["en"] for b in post_loan["buckets"]] == [b.name.en for b in checked.spec.post_loan.dpd_buckets]
    assert [a["note"]["zh"] for a in post_loan["actions"]] == [a.note.zh for a in checked.spec.post_loan.collection]
    warnings = _literal(root / "app" / "early_warning.py", "WARNINGS")
    first = checked.spec.post_loan.early_warning[0]
    assert warnings[0]["name"] == {"zh": first.name.zh, "en": first.name.en}
    assert warnings[0]["action"] == {"zh": first.action.zh, "en": first.action.en}
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "<script>" not in readme and "{{ 7*7 }}" not in readme
    assert "\\{\\{ 7\\*7 \\}\\}" in readme  # shown escaped, as the text it is


def test_the_project_is_lint_clean_and_passes_its_lifecycle_tests(hostile):
    from ruff.__main__ import find_ruff_bin

    _, root = hostile
    done = subprocess.run([find_ruff_bin(), "check", "--no-cache", "."], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKFLOW_", "DATABASE_URL"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:xdist", "tests/test_lifecycle.py",
                           "tests/test_early_warning.py", "tests/test_operations.py", "-k", "not never_answers"],
                          cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
