"""The generated workflow service for every catalog product: deterministic, compiles, lint-clean, never
imports Loan Studio, carries the compiled decision module byte for byte, exports valid OpenAPI 3.1, pins
what Loan Studio pins, ships a Dockerfile that copies and starts the app beside it; the lifecycle read from
each product's workflow; hostile texts carried through as data."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers.trees import read_tree, tree_differences
from openapi_spec_validator import OpenAPIV31SpecValidator

from generators.python.module import python_source
from generators.services import ServiceError, pins
from generators.services.lifecycle import DECIDE, lifecycle_plan
from generators.services.workflow_service import (
    WORKFLOW_DIR,
    generate_workflow_service,
    workflow_service_files,
)
from product_specs import load_checked
from product_specs.catalog import catalog_paths

CATALOG = {p.stem: p for p in catalog_paths()}
PRODUCTS = sorted(CATALOG)
MINI = Path(__file__).parents[2] / "product_specs" / "fixtures" / "mini.yaml"
LOAN_STUDIO = {"product_specs", "generators", "validation", "designer", "loanstudio"}


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> dict[str, Path]:
    """product id -> its generated workflow service (every catalog product, generated once)."""
    out = tmp_path_factory.mktemp("workflow")
    return {name: generate_workflow_service(load_checked(path), out) for name, path in CATALOG.items()}


def test_the_same_spec_gives_the_same_bytes(services, tmp_path):
    for name in PRODUCTS:
        again = generate_workflow_service(load_checked(CATALOG[name]), tmp_path)
        assert again == tmp_path / name / WORKFLOW_DIR
        assert tree_differences(read_tree(again), read_tree(services[name])) == [], name


@pytest.mark.parametrize("name", PRODUCTS)
def test_every_python_file_compiles_and_imports_no_loan_studio(services, name):
    root = services[name]
    sources = sorted(root.rglob("*.py"))
    assert {"app/main.py", "app/models.py", "app/db.py", "app/lifecycle.py", "app/outbox.py", "app/decision.py",
            "app/early_warning.py", "app/api/routes/applications.py", "alembic/env.py",
            "alembic/versions/0001_initial.py", "tests/test_lifecycle.py", "tests/test_crash.py"} <= {
        p.relative_to(root).as_posix() for p in sources}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        compile(text, str(path), "exec")
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
def test_the_tree_is_lint_clean(services, name):
    from ruff.__main__ import find_ruff_bin

    done = subprocess.run([find_ruff_bin(), "check", "--no-cache", "."], cwd=services[name], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_decision_is_the_compiled_module_byte_for_byte(services, name):
    source = (services[name] / "app" / "decision.py").read_text(encoding="utf-8")
    assert source == python_source(load_checked(CATALOG[name]))


@pytest.mark.parametrize("name", PRODUCTS)
def test_openapi_json_is_valid_openapi_3_1(services, name):
    doc = json.loads((services[name] / "openapi.json").read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(doc).validate()
    checked = load_checked(CATALOG[name])
    applicant = doc["components"]["schemas"]["Applicant"]
    assert list(applicant["properties"]) == [f.name for f in checked.spec.fields]
    assert applicant["additionalProperties"] is False
    monitoring = doc["components"]["schemas"]["Monitoring"]
    assert list(monitoring["properties"]) == [f.name for f in checked.spec.post_loan.monitoring_fields]
    events = {m["$ref"].rsplit("/", 1)[1] for m in doc["components"]["schemas"]["Event"]["oneOf"]}
    assert events == {"StepEvent", "OfferAccepted", "Disbursed", "RepaymentReceived", "PaymentMissed",
                      "MonitoringUpdate"}


def test_pins_agree_with_loan_studio_and_the_generated_pyproject(services):
    project = tomllib.loads((services[PRODUCTS[0]] / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {**pins.RUNTIME, **pins.WORKFLOW_RUNTIME}
    assert project["project"]["dependencies"] == [f"{n}=={v}" for n, v in wanted.items()]
    assert project["project"]["optional-dependencies"]["test"] == [f"{n}=={v}" for n, v in pins.TEST.items()]
    for name, pinned in {**wanted, **pins.TEST}.items():
        assert version(name.split("[")[0]) == pinned, f"Loan Studio's environment has another {name}"
    ours = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text(encoding="utf-8"))
    listed = ours["project"]["dependencies"] + ours["project"]["optional-dependencies"]["dev"]
    for name, pinned in pins.WORKFLOW_RUNTIME.items():
        assert f"{name}=={pinned}" in listed, f"pin {name}=={pinned} in Loan Studio's pyproject.toml too"


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    out = []
    for line in re.sub(r"\\\n", " ", dockerfile).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_dockerfile_copies_and_starts_the_app_beside_it(services, name):
    root = services[name]
    steps = _instructions((root / "Dockerfile").read_text(encoding="utf-8"))
    kinds = [k for k, _ in steps]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", dict(steps)["FROM"])
    ignored = (root / ".dockerignore").read_text(encoding="utf-8").split()
    copied = []
    for kind, rest in steps:
        if kind == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (root / source).exists(), f"COPY {source}: not in the tree"
                assert source not in ignored and source.rstrip("/") + "/" not in ignored
                copied.append(source)
    assert {"pyproject.toml", "app", "alembic", "alembic.ini"} <= set(copied)
    command = json.loads(dict(steps)["CMD"])
    assert command[:2] == ["uvicorn", "app.main:app"]
    port = command[command.index("--port") + 1]
    assert dict(steps)["EXPOSE"] == port
    user = [rest for kind, rest in steps if kind == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    assert f"127.0.0.1:{port}/healthz" in dict(steps)["HEALTHCHECK"]


@pytest.mark.parametrize("name", PRODUCTS)
def test_the_lifecycle_is_read_from_the_workflow(name):
    checked = load_checked(CATALOG[name])
    plan = lifecycle_plan(checked)
    stages = {s.id: s for s in checked.spec.workflow.stages}
    assert plan["intake"]["id"] == checked.spec.workflow.stages[0].id
    assert plan["decision"]["id"] == "decision"
    assert plan["checks"] == ["kyc"] and plan["initial"] == "kyc"
    assert plan["reviews"] == [s for s in ("site_investigation", "manual_review") if s in stages]
    for state in ("offered", "contract_signing"):
        assert plan["states"][state]["stage"]["id"] == "contract_signing"
    assert plan["states"]["repaying"]["stage"]["role"] == "post_loan"
    assert plan["states"]["overdue"]["stage"]["role"] == "collections"
    for state in plan["reviews"]:
        stage = stages[state]
        assert plan["states"][state]["stage"]["sla_hours"] == float(stage.sla_hours)
        assert plan["states"][state]["stage"]["role"] == stage.role.value
    assert plan["not_served"] == []
    assert set(plan["transitions"]) == set(plan["states"])
    events = set(plan["events"])
    for moves in plan["transitions"].values():
        assert set(moves) <= events
        for targets in moves.values():
            assert set(targets) <= set(plan["states"]) | {DECIDE}


def test_a_workflow_without_checks_or_reviews_still_has_every_state():
    plan = lifecycle_plan(load_checked(MINI))
    assert plan["checks"] == [] and plan["initial"] == DECIDE
    assert plan["reviews"] == ["manual_review"] and plan["states"]["manual_review"]["stage"] is None
    assert plan["decision"]["id"] == "approve"


def test_the_mini_product_generates_and_serves_its_lifecycle(tmp_path):
    made = generate_workflow_service(load_checked(MINI), tmp_path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "tests/test_lifecycle.py",
                           "tests/test_collections.py", "tests/test_early_warning.py"], cwd=made,
                          capture_output=True, text=True, env=_clean_env())
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_a_stage_named_like_a_state_is_refused(tmp_path):
    from helpers.spec_edits import edited, to_yaml

    from product_specs import check_spec, loads_spec

    data = edited({"workflow": {"stages": [
        {"id": "apply", "name": {"zh": "申请", "en": "Apply"}, "role": "customer", "next": ["offered"]},
        {"id": "offered", "name": {"zh": "核验", "en": "Check"}, "role": "system", "next": ["decision"]},
        {"id": "decision", "name": {"zh": "决策", "en": "Decision"}, "role": "system"}]}})
    report = check_spec(loads_spec(to_yaml(data))[0])
    with pytest.raises(ServiceError, match="'offered' has the name of a state"):
        workflow_service_files(report.checked)


def test_only_a_checked_spec_is_generated():
    with pytest.raises(TypeError, match="CheckedSpec"):
        workflow_service_files(object())


def test_never_overwrites_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "mini_loan" / WORKFLOW_DIR
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ServiceError, match="is not a generated workflow service"):
        generate_workflow_service(load_checked(MINI), tmp_path)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


def _clean_env() -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKFLOW_", "DATABASE_URL"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
