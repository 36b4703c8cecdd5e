"""`generate` for every catalog product: deterministic, compiles, lint-clean, never imports Loan Studio,
carries the compiled module byte for byte, exports valid OpenAPI 3.1, pins what Loan Studio pins, and
ships a Dockerfile that copies and starts the app beside it (checked statically: no container engine)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import CATALOG
from helpers.trees import read_tree, tree_differences
from openapi_spec_validator import OpenAPIV31SpecValidator
from typer.testing import CliRunner

from designer.cli import app
from generators.python.module import python_source
from generators.services import ServiceError, decision_service_files, generate_decision_service, pins
from product_specs import load_checked

PRODUCTS = sorted(CATALOG)
LOAN_STUDIO = {"product_specs", "generators", "validation", "designer", "loanstudio"}


def test_the_same_spec_gives_the_same_bytes(catalog_services, tmp_path):
    for name in PRODUCTS:
        again = generate_decision_service(load_checked(CATALOG[name]), tmp_path)
        assert tree_differences(read_tree(again), read_tree(catalog_services[name])) == [], name


@pytest.mark.parametrize("name", PRODUCTS)
def test_every_python_file_compiles_and_imports_no_loan_studio(catalog_services, name):
    root = catalog_services[name]
    sources = sorted(root.rglob("*.py"))
    assert {"app/main.py", "app/models.py", "app/decision.py", "app/api/routes/decisions.py",
            "app/core/config.py", "tests/test_decisions.py"} <= {p.relative_to(root).as_posix() for p in sources}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        compile(text, str(path), "exec")  # byte-compiles, without writing __pycache__ into the tree
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in LOAN_STUDIO, f"{path.relative_to(root)} imports {module}"


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_tree_is_lint_clean(catalog_services, name):
    from ruff.__main__ import find_ruff_bin

    done = subprocess.run([find_ruff_bin(), "check", "--no-cache", "."], cwd=catalog_services[name],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_decision_is_the_compiled_module_byte_for_byte(catalog_services, name):
    source = (catalog_services[name] / "app" / "decision.py").read_text(encoding="utf-8")
    assert source == python_source(load_checked(CATALOG[name]))


@pytest.mark.parametrize("name", PRODUCTS)
def test_openapi_json_is_valid_openapi_3_1(catalog_services, name):
    doc = json.loads((catalog_services[name] / "openapi.json").read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(doc).validate()
    applicant = doc["components"]["schemas"]["Applicant"]
    checked = load_checked(CATALOG[name])
    assert list(applicant["properties"]) == [f.name for f in checked.spec.fields]
    assert applicant["additionalProperties"] is False
    assert sorted(applicant["required"]) == sorted(f.name for f in checked.spec.fields if f.required)
    for c in checked.input_constraints():
        prop = applicant["properties"][c.field]
        schema = prop if c.required else prop["anyOf"][0]
        if c.min is not None:
            assert schema["minimum"] == float(c.min), c.field
        if c.max is not None:
            assert schema["maximum"] == float(c.max), c.field
        if c.categories:
            assert schema["enum"] == list(c.categories), c.field
    codes = doc["components"]["schemas"]["Reason"]["properties"]["code"]["enum"]
    assert codes == [r.code for r in checked.reasons()]


def test_pins_agree_with_loan_studio_and_the_generated_pyproject(catalog_services):
    project = tomllib.loads((catalog_services[PRODUCTS[0]] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dependencies"] == [f"{n}=={v}" for n, v in pins.RUNTIME.items()]
    assert project["project"]["optional-dependencies"]["test"] == [f"{n}=={v}" for n, v in pins.TEST.items()]
    for name, pinned in {**pins.RUNTIME, **pins.TEST}.items():
        assert version(name.split("[")[0]) == pinned, f"Loan Studio's environment has another {name}"
    ours = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text(encoding="utf-8"))
    listed = ours["project"]["dependencies"] + ours["project"]["optional-dependencies"]["dev"] + \
        ours["project"]["optional-dependencies"]["bench"]
    for name, pinned in {**pins.RUNTIME, **pins.TEST}.items():
        if name not in ("pydantic", "typing-extensions"):  # pydantic is pinned; typing-extensions comes with it
            assert f"{name}=={pinned}" in listed, f"pin {name}=={pinned} in Loan Studio's pyproject.toml too"


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_dockerfile_copies_and_starts_the_app_beside_it(catalog_services, name):
    root = catalog_services[name]
    steps = _instructions((root / "Dockerfile").read_text(encoding="utf-8"))
    kinds = [k for k, _ in steps]
    base = dict(steps)["FROM"]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), f"unpinned base image {base}"
    ignored = (root / ".dockerignore").read_text(encoding="utf-8").split()
    copied = []
    for kind, rest in steps:
        if kind == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (root / source).exists(), f"COPY {source}: not in the tree"
                assert source not in ignored and source.rstrip("/") + "/" not in ignored
                copied.append(source)
    assert {"pyproject.toml", "app"} <= set(copied)
    command = json.loads(dict(steps)["CMD"])
    assert command[:2] == ["uvicorn", "app.main:app"]
    module = ast.parse((root / "app" / "main.py").read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "app" for t in n.targets)
               for n in module.body), "app/main.py defines no `app`"
    port = command[command.index("--port") + 1]
    assert dict(steps)["EXPOSE"] == port
    user = [rest for kind, rest in steps if kind == "USER"]
    assert user and user[-1] not in ("root", "0") and kinds.index("USER") > max(
        i for i, k in enumerate(kinds) if k == "RUN"), "the app must run as a non-root user"
    health = dict(steps)["HEALTHCHECK"]
    assert f"127.0.0.1:{port}/healthz" in health
    routes = (root / "app" / "api" / "routes" / "health.py").read_text(encoding="utf-8")
    assert '@router.get("/healthz"' in routes


def test_generate_command(tmp_path):
    result = CliRunner().invoke(app, ["generate", str(CATALOG["tax_sme_loan"]), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    made = tmp_path / "tax_sme_loan" / "decision-service"
    assert result.output.splitlines()[0] == f"wrote {made}"
    assert result.output.splitlines()[1] == f"wrote {tmp_path / 'tax_sme_loan' / 'workflow-service'}"
    assert (made / "openapi.json").is_file()
    again = CliRunner().invoke(app, ["generate", str(CATALOG["tax_sme_loan"]), "--out", str(tmp_path)])
    assert again.exit_code == 0  # an earlier generation is replaced


def test_generate_refuses_a_spec_with_a_failing_example(tmp_path):
    from helpers.spec_edits import edited, to_yaml

    spec = tmp_path / "spec.yaml"
    spec.write_text(to_yaml(edited({"tests[0].expect.decision": "decline"})), encoding="utf-8")
    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "example test fails" in result.output and "nothing generated" in result.output
    assert not (tmp_path / "out").exists()


def test_generate_never_overwrites_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "mini_loan" / "decision-service"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    spec = Path(__file__).parents[2] / "product_specs" / "fixtures" / "mini.yaml"
    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a generated decision service" in result.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(ServiceError):
        generate_decision_service(load_checked(spec), tmp_path)


def test_only_a_checked_spec_is_generated():
    with pytest.raises(TypeError, match="CheckedSpec"):
        decision_service_files(object())
