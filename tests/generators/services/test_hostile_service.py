"""Hostile texts in a product (names, labels, descriptions, categories, reason texts, example names) give
a service that compiles, passes its own tests and carries every text through byte for byte: in the data
it serves, in its request model and OpenAPI document, over HTTP. No text becomes code or markup: Python
sees it as string literals only, the README shows it escaped. Invisible characters (RTL marks, zero-width
spaces) never reach a generator: `check` refuses them."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.spec_edits import edited, to_yaml
from typer.testing import CliRunner

from designer.cli import app
from designer.use_cases import check_file
from generators.decision import decision_module

QUOTES = "it's \"quoted\" \\ back\\slash \\n \\x00"
LINES = "line one\nline two\n\tline three"
TEMPLATE = "{{ 7*7 }} {% if x %}{% endif %} {# c #} ${x} #{x} %(x)s {0}"
TRIPLE = "\"\"\" triple ''' \"\"\"'"
SQL = "'; drop table x; --"
SCRIPT = "</script><script>alert(1)</script><img src=x onerror=alert(1)>"
RTL_SCRIPT = "مرحبا שלום (right to left script)"
CHINESE = "中文文本：税务贷款（测试）"
MARKDOWN = "[link](javascript:alert(1)) | pipe | `tick` *star* _u_ # h $x$ &amp; <b>"
HOSTILE = [QUOTES, LINES, TEMPLATE, TRIPLE, SQL, SCRIPT, RTL_SCRIPT, CHINESE, MARKDOWN]
CATEGORIES = [QUOTES, SCRIPT, TEMPLATE, TRIPLE, SQL, CHINESE, "A B", "1", ""]


def hostile_data() -> dict:
    data = edited()
    data["product"]["name"] = {"zh": CHINESE + LINES, "en": QUOTES + SCRIPT}
    data["product"]["description"] = {"zh": CHINESE + TEMPLATE, "en": MARKDOWN}
    age, _, grade = data["fields"][0], data["fields"][1], data["fields"][2]
    age["label"] = {"zh": CHINESE + TRIPLE, "en": SQL}
    age["description"] = {"zh": RTL_SCRIPT, "en": LINES}
    grade["label"] = {"zh": "纳税" + SCRIPT, "en": TEMPLATE}
    grade["categories"] += [c for c in CATEGORIES if c]
    data["scorecard"]["characteristics"][0]["bins"][2]["values"] += [c for c in CATEGORIES if c]
    data["admission"][0]["name"] = {"zh": CHINESE + TRIPLE, "en": MARKDOWN}
    data["admission"][0]["reason"] = {"zh": CHINESE + SCRIPT, "en": TEMPLATE + LINES}
    data["admission"][1]["reason"] = {"zh": CHINESE + QUOTES, "en": SQL + RTL_SCRIPT}
    data["segments"][0]["name"] = {"zh": CHINESE + RTL_SCRIPT, "en": SQL}
    data["decision"]["bands"][0]["name"] = {"zh": CHINESE + MARKDOWN, "en": TRIPLE}
    data["decision"]["review_triggers"][0]["reason"] = {"zh": CHINESE + LINES, "en": QUOTES}
    data["tests"][0]["name"] = "an example " + QUOTES + TEMPLATE
    return data


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(spec path, checked spec, generated project) of the hostile product."""
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "hostile.yaml"
    spec.write_text(to_yaml(hostile_data()), encoding="utf-8")
    outcome = check_file(spec)
    assert outcome.errors == [], [str(f) for f in outcome.errors]
    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return spec, outcome.checked, folder / "out" / "mini_loan" / "decision-service"


def _literal(path: Path, name: str):
    """The value assigned to `name` in a generated module, read without running it."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} assigns no {name}")


def _strings(path: Path) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_texts_reach_the_served_data_byte_for_byte(hostile):
    _, checked, project = hostile
    product = _literal(project / "app" / "product.py", "PRODUCT")
    spec = checked.spec
    assert product["name"] == {"zh": spec.product.name.zh, "en": spec.product.name.en} == {
        "zh": CHINESE + LINES, "en": QUOTES + SCRIPT}
    assert product["description"] == {"zh": CHINESE + TEMPLATE, "en": MARKDOWN}
    fields = {f["name"]: f for f in product["fields"]}
    assert fields["age"]["label"] == {"zh": CHINESE + TRIPLE, "en": SQL}
    assert fields["age"]["description"] == {"zh": RTL_SCRIPT, "en": LINES}
    assert fields["tax_grade"]["categories"] == ["A", "B", "C", "M", "D"] + [c for c in CATEGORIES if c]
    reasons = {r["code"]: r["text"] for r in product["reasons"]}
    assert reasons["R01"] == {"zh": CHINESE + SCRIPT, "en": TEMPLATE + LINES}
    assert reasons["R02"] == {"zh": CHINESE + QUOTES, "en": SQL + RTL_SCRIPT}
    assert reasons["T01"] == {"zh": CHINESE + LINES, "en": QUOTES}
    rule = next(r for r in product["rules"] if r["code"] == "R01")
    assert rule["name"] == {"zh": CHINESE + TRIPLE, "en": MARKDOWN}
    assert product["segments"][0]["name"] == {"zh": CHINESE + RTL_SCRIPT, "en": SQL}
    compiled = _literal(project / "app" / "decision.py", "REASONS")
    assert compiled["R01"][1:] == (CHINESE + SCRIPT, TEMPLATE + LINES)


def test_texts_are_string_literals_in_every_module(hostile):
    _, _, project = hostile
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        assert "7*7 }}" not in source.replace("{{ 7*7 }}", ""), path  # no template syntax survived unquoted
    models = _strings(project / "app" / "models.py")
    assert {c for c in CATEGORIES if c} <= models  # the request model's Literal holds them as they are
    examples = json.loads((project / "tests" / "examples.json").read_text(encoding="utf-8"))
    assert examples["examples"][0]["name"] == "an example " + QUOTES + TEMPLATE


def test_openapi_carries_the_categories_and_escapes_descriptions(hostile):
    _, _, project = hostile
    doc = json.loads((project / "openapi.json").read_text(encoding="utf-8"))
    props = doc["components"]["schemas"]["Applicant"]["properties"]
    assert props["tax_grade"]["enum"] == ["A", "B", "C", "M", "D"] + [c for c in CATEGORIES if c]
    assert props["age"]["title"] == SQL
    description = props["age"]["description"]  # CommonMark: shown as text by any OpenAPI viewer
    assert "<script>" not in description and "\\<" not in description.replace("\\\\<", "")
    assert "<" not in description.replace("\\<", "")


def test_the_readme_shows_texts_and_never_markup(hostile):
    _, _, project = hostile
    readme = (project / "README.md").read_text(encoding="utf-8").split("## 运行与测试 / Run and test")[0]
    assert CHINESE in readme and "مرحبا שלום" in readme
    for raw in ("{{ 7*7 }}", "`tick`", "*star*", "_u_", "$x$", "&amp;", "# h", "| pipe"):
        at = [i for i in range(len(readme)) if readme.startswith(raw, i)]
        assert all(readme[i - 1] == "\\" for i in at), f"{raw!r} unescaped"
    assert "<" not in readme.replace("\\<", "").replace("<br>", "")  # the generator's line break is the only tag
    assert readme.count("](javascript") == readme.count("\\](javascript") > 0
    assert "\\<script\\>" in readme and "\\{\\{ 7\\*7 \\}\\}" in readme


_CLIENT = """
import json, sys
from fastapi.testclient import TestClient
from app.main import create_app
from app.core.config import Settings
applicants = json.load(sys.stdin)
settings = Settings(_env_file=None, log_url="sqlite:///" + sys.argv[1], api_keys="")
with TestClient(create_app(settings)) as client:
    product = client.get("/v1/product").json()
    answers = [client.post("/v1/decisions", json=a) for a in applicants]
print(json.dumps({"product": product, "answers": [[r.status_code, r.json()] for r in answers]}))
"""


def test_texts_go_through_http_byte_for_byte(hostile, tmp_path):
    _, checked, project = hostile
    base = json.loads((project / "tests" / "examples.json").read_text(encoding="utf-8"))["valid_applicant"]
    applicants = [{**base, "tax_grade": c, "age": 30} for c in CATEGORIES if c]
    applicants.append({**base, "age": 18, "overdue_count_24m": 5})  # declined on R01 and R02
    done = subprocess.run([sys.executable, "-B", "-c", _CLIENT, str(tmp_path / "log.db")], cwd=project,
                          input=json.dumps(applicants), capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(project)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["product"] == _literal(project / "app" / "product.py", "PRODUCT")
    module = decision_module(checked)
    for sent, (status, answer) in zip(applicants, out["answers"], strict=True):
        assert status == 200, answer
        want = module.decide(sent, trace=False)
        assert answer["decision"] == want["decision"] and answer["score"] == want["score"]
        assert answer["reasons"] == want["reasons"]
    last = out["answers"][-1][1]
    assert [r["code"] for r in last["reasons"]][:2] == ["R01", "R02"]
    assert (last["reasons"][0]["text_zh"], last["reasons"][0]["text_en"]) == (CHINESE + SCRIPT, TEMPLATE + LINES)


def test_the_generated_project_passes_its_own_tests(hostile):
    _, _, project = hostile
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], cwd=project,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


@pytest.mark.parametrize("hidden", ["\u200f", "\u202e", "\u200b", "\x1b[2J"])
def test_invisible_characters_never_reach_a_service(tmp_path, hidden):
    data = edited()
    data["product"]["name"]["en"] = "Mini" + hidden + "loan"
    spec = tmp_path / "spec.yaml"
    spec.write_text(to_yaml(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code in (1, 2)
    assert "invisible or control character" in result.output or "control character" in result.output
    assert not (tmp_path / "out").exists()
