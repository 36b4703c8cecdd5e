"""The generated Python decision module: valid, ruff-clean, deterministic, correct on the examples, strict on
input, fast on large tables, and byte for byte the golden file for the tax product.

Regenerate the golden files (the tax spec copy and its module) only with
`LOANSTUDIO_UPDATE_GOLDEN=1 pytest tests/generators/test_python_module.py -k golden`, never by hand.
"""

from __future__ import annotations

import ast
import json
import math
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.agreement import assert_agree
from helpers.applicants import applicants
from sqlglot import exp

from generators.decision import decision_module, plain_applicant, run_example_tests
from generators.python.module import python_source
from generators.sql.query import decision_query
from product_specs import ProductSpec, check_spec, load_checked
from product_specs.catalog import catalog_path, catalog_paths
from product_specs.sections import FieldType

PRODUCTS = [pytest.param(path, id=path.stem) for path in catalog_paths()]
GOLDEN = Path(__file__).parent / "golden" / "tax_sme_loan_decision.py"
GOLDEN_SPEC = GOLDEN.with_name("tax_sme_loan.yaml")
UPDATE_GOLDEN = os.environ.get("LOANSTUDIO_UPDATE_GOLDEN") == "1"
RUFF = str(Path(sys.executable).with_name("ruff")) if Path(sys.executable).with_name("ruff").exists() \
    else shutil.which("ruff")
OUTPUT_KEYS = {"decision", "segment", "score", "band", "pd", "reasons", "limit", "apr", "channel", "trace", "product_id",
               "product_version", "spec_hash"}
LARGE_BINS = 1200


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    """Generated source of every catalog product, by product id."""
    return {path.stem: python_source(load_checked(path)) for path in catalog_paths()}


def _approved(checked) -> dict:
    """An applicant the product approves: an example test's, else a generated one."""
    module = decision_module(checked)
    candidates = [plain_applicant(t.applicant) for t in checked.spec.tests if t.expect.decision.value == "approve"]
    candidates += applicants(checked, 2000, seed=7)
    return next(a for a in candidates if module.decide(a, trace=False)["decision"] == "approve")


# ---- the source -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PRODUCTS)
def test_module_compiles_and_is_ruff_clean(path, sources, tmp_path):
    source = sources[path.stem]
    compile(source, f"{path.stem}_decision.py", "exec")
    target = tmp_path / f"{path.stem}_decision.py"
    target.write_text(source, encoding="utf-8")
    lint = subprocess.run([RUFF, "check", "--isolated", "--no-cache", str(target)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run([RUFF, "format", "--check", "--isolated", "--no-cache", "--line-length", "110",
                          str(target)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("path", PRODUCTS)
def test_module_is_standard_library_only(path, sources):
    tree = ast.parse(sources[path.stem])
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_generation_is_byte_identical(sources):
    """Twice in this process, from a fresh load, and in fresh interpreters with other hash seeds."""
    for path in catalog_paths():
        checked = load_checked(path)
        assert python_source(checked) == python_source(checked) == sources[path.stem], path.stem
    script = ("import json, sys\n"
              "from generators.python.module import python_source\n"
              "from product_specs import load_checked\n"
              "from product_specs.catalog import catalog_paths\n"
              "json.dump({p.stem: python_source(load_checked(p)) for p in catalog_paths()}, sys.stdout)\n")
    for seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              cwd=Path(__file__).resolve().parents[2], check=True)
        fresh = json.loads(done.stdout)
        for product, source in sources.items():
            assert fresh[product] == source, f"{product}: the source differs with PYTHONHASHSEED={seed}"


def test_golden_tax_module():
    """The module generated from the golden copy of the tax spec is byte for byte the golden module.

    The spec is a copy, so that tuning the catalog product does not move the golden file: only a change
    of the compiler does. Regenerating refreshes both from the catalog.
    """
    if UPDATE_GOLDEN:
        GOLDEN.parent.mkdir(exist_ok=True)
        shutil.copyfile(catalog_path("tax_sme_loan"), GOLDEN_SPEC)
        GOLDEN.write_text(python_source(load_checked(GOLDEN_SPEC)), encoding="utf-8", newline="\n")
    assert GOLDEN.exists() and GOLDEN_SPEC.exists(), f"no golden files: run LOANSTUDIO_UPDATE_GOLDEN=1 pytest {__file__}"
    source = python_source(load_checked(GOLDEN_SPEC))
    golden = GOLDEN.read_text(encoding="utf-8")
    assert source == golden, ("the generated tax_sme_loan module differs from tests/generators/golden/: if the "
                              "compiler change is intended, regenerate with LOANSTUDIO_UPDATE_GOLDEN=1 and review "
                              "the diff")


# ---- behaviour ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["python", "sql"])
@pytest.mark.parametrize("path", PRODUCTS)
def test_example_tests_pass(path, backend):
    checked = load_checked(path)
    results = run_example_tests(checked, backend)
    assert results, f"{path.stem} has no example tests"
    failures = [f"{r.name}: {'; '.join(r.differences)}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", PRODUCTS)
def test_decision_and_trace(path):
    checked = load_checked(path)
    module = decision_module(checked)
    applicant = _approved(checked)
    result = module.decide(applicant, trace=True)
    second = checked.spec.scorecard.second is not None
    assert set(result) == OUTPUT_KEYS | ({"second_score", "second_grade"} if second else set())
    assert (result["product_id"], result["product_version"], result["spec_hash"]) == (
        checked.product_id, checked.spec.product.version, checked.spec_hash)
    assert result["channel"] == applicant[checked.spec.product.channel_field]
    steps = [s["step"] for s in result["trace"]]
    for step in ("admission", "segment", "score", "matrix", "limit", "price"):
        assert step in steps, f"{path.stem}: no {step!r} step in the trace {steps}"
    assert ("derived" in steps) == bool(checked.derived)
    admission = [s["code"] for s in result["trace"] if s["step"] == "admission"]
    assert admission[:len(checked.admission)] == [r.item.code for r in checked.admission]
    score = next(s for s in result["trace"] if s["step"] == "score")
    card = checked.spec.scorecard
    assert list(score["points"]) == [ch.field for _, _, ch in card.all_characteristics()]
    first = [ch.field for ch in card.characteristics]
    assert score["score"] == card.base_points + sum(score["points"][f]["points"] for f in first)
    if second:  # the second scorecard's score, its grade, and the final band the matrix gives them
        others = [ch.field for ch in card.second.characteristics]
        assert score["second_score"] == result["second_score"] == card.second.base_points + sum(
            score["points"][f]["points"] for f in others)
        assert score["grade"] == result["second_grade"]
        assert result["band"] == card.second.matrix[score["first_band"]][score["grade"]]
    untraced = module.decide(applicant, trace=False)
    assert untraced["trace"] == []
    assert {k: v for k, v in untraced.items() if k != "trace"} == {k: v for k, v in result.items() if k != "trace"}


def _field(checked, kind: FieldType, required: bool = True):
    return next(f for f in checked.spec.fields if f.type is kind and f.required == required and f.name
                != checked.spec.product.channel_field)


def _input_cases(checked):
    """(label, applicant edit, field the error must name)."""
    number = next(f for f in checked.spec.fields if f.type is FieldType.NUMBER and f.required
                  and f.min is not None and f.max is not None)
    integer = next(f for f in checked.spec.fields if f.type is FieldType.INTEGER and f.required)
    category = _field(checked, FieldType.CATEGORY)
    boolean = _field(checked, FieldType.BOOLEAN)
    text = _field(checked, FieldType.STRING)
    too_big = float(number.max) + 1
    yield "missing required", {number.name: ...}, number.name
    yield "required null", {integer.name: None}, integer.name
    yield "above max", {number.name: too_big}, number.name
    yield "below min", {integer.name: int(integer.min) - 1}, integer.name
    yield "text for a number", {number.name: "12000"}, number.name
    yield "NaN", {number.name: math.nan}, number.name
    yield "infinity", {number.name: math.inf}, number.name
    yield "huge integer", {number.name: 10**400}, number.name
    yield "bool for a number", {number.name: True}, number.name
    yield "bool for an integer", {integer.name: False}, integer.name
    yield "fraction for an integer", {integer.name: int(integer.min) + 0.5}, integer.name
    yield "decimal for a number", {number.name: Decimal(number.min)}, number.name
    yield "unknown category", {category.name: "no_such_category"}, category.name
    yield "category of the wrong type", {category.name: 1}, category.name
    yield "unhashable category", {category.name: [category.categories[0]]}, category.name
    yield "number for a boolean", {boolean.name: 1}, boolean.name
    yield "text for a boolean", {boolean.name: "true"}, boolean.name
    yield "number for text", {text.name: 42}, text.name


@pytest.mark.parametrize("path", PRODUCTS)
def test_input_errors_are_not_decisions(path):
    checked = load_checked(path)
    module = decision_module(checked)
    base = _approved(checked)
    for label, edit, name in _input_cases(checked):
        applicant = dict(base)
        for key, value in edit.items():
            if value is ...:
                del applicant[key]
            else:
                applicant[key] = value
        for call in (module.decide, module.validate):
            with pytest.raises(module.InputError) as caught:
                call(applicant)
            fields = [e["field"] for e in caught.value.errors]
            assert fields == [name], f"{path.stem}, {label}: errors {caught.value.errors}"
            assert name in str(caught.value)


@pytest.mark.parametrize("path", PRODUCTS)
def test_every_input_error_is_listed(path):
    checked = load_checked(path)
    module = decision_module(checked)
    required = [f.name for f in checked.spec.fields if f.required]
    with pytest.raises(module.InputError) as caught:
        module.decide({})
    assert [e["field"] for e in caught.value.errors] == required
    assert all(e["message"] == "required value is missing" for e in caught.value.errors)


@pytest.mark.parametrize("applicant", [None, [], "applicant", 42, [("channel", "x")]])
def test_non_dict_applicant_is_an_input_error(applicant):
    module = decision_module(load_checked(catalog_path("tax_sme_loan")))
    with pytest.raises(module.InputError) as caught:
        module.decide(applicant)
    assert caught.value.errors == [{"field": "", "message": "the applicant must be an object"}]


@pytest.mark.parametrize("path", PRODUCTS)
def test_optional_fields_may_be_null_or_absent(path):
    checked = load_checked(path)
    module = decision_module(checked)
    applicant = _approved(checked)
    optional = [f.name for f in checked.spec.fields if not f.required]
    nulls = module.decide(dict(applicant, **dict.fromkeys(optional)), trace=False)
    absent = module.decide({k: v for k, v in applicant.items() if k not in optional}, trace=False)
    assert nulls == absent
    assert nulls["decision"] in ("approve", "refer", "decline")


# ---- large tables ---------------------------------------------------------------------------------------

def _large_spec():
    """The tax product with a 1,200-bin characteristic on annual sales, in its second (the firm's tax)
    scorecard (and no example tests)."""
    spec = load_checked(catalog_path("tax_sme_loan")).spec
    data = spec.model_dump(mode="python", exclude_none=True)
    step = Decimal(800_000)
    bins = [{"upper": step, "points": 0}]
    bins += [{"lower": step * k, "upper": step * (k + 1), "points": (k * 37) % 91} for k in range(1, LARGE_BINS - 1)]
    bins.append({"lower": step * (LARGE_BINS - 1), "points": 90})
    card = data["scorecard"]["second"]["characteristics"]
    index = next(i for i, ch in enumerate(card) if ch["field"] == "annual_tax_sales")
    card[index]["bins"] = bins
    data["tests"] = []
    report = check_spec(ProductSpec.model_validate(data))
    assert report.checked is not None, [str(e) for e in report.errors]
    return report.checked, index


def _branches(source: str) -> int:
    decide = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "decide")
    return sum(isinstance(n, (ast.If, ast.IfExp)) for n in ast.walk(decide))


def _case_depth(node: exp.Expression) -> int:
    below = max((_case_depth(child) for child in node.iter_expressions()), default=0)
    return below + isinstance(node, exp.Case)


def test_large_scorecard_compiles_to_lookups():
    checked, index = _large_spec()
    source = python_source(checked)
    assert f"bisect_right(_SQ{index}_BOUNDS, f_annual_tax_sales)" in source
    bounds = next(n for n in ast.parse(source).body if isinstance(n, ast.Assign)
                  and n.targets[0].id == f"_SQ{index}_BOUNDS")
    assert len(bounds.value.elts) == LARGE_BINS - 1
    original = python_source(load_checked(catalog_path("tax_sme_loan")))
    assert _branches(source) == _branches(original), "more bins must not add branches to decide()"

    query = decision_query(checked)
    widest = max(len(case.args["ifs"]) for case in query.find_all(exp.Case))
    assert widest <= 16, f"a CASE with {widest} branches: the bins compile to a chain, not a tree"
    depth = _case_depth(query)
    assert 6 <= depth <= math.ceil(math.log2(LARGE_BINS)) + 4, f"CASE nesting depth {depth}"


def test_large_scorecard_backends_agree():
    checked, _ = _large_spec()
    assert_agree(checked, applicants(checked, 4000, seed=3), "tax_sme_loan with 1,200 bins")


@pytest.mark.parametrize("amount", [
    "annual_tax_sales / owner_share_ratio",  # +infinity
    "sales_growth / owner_share_ratio",  # -infinity
    "annual_tax_sales / owner_share_ratio - annual_tax_sales / owner_share_ratio",  # NaN
])
def test_a_non_finite_amount_lends_nothing(amount):
    """A limit formula that overflows (a ratio over a share of 5e-324) declines with L01 in both backends."""
    data = load_checked(catalog_path("tax_sme_loan")).spec.model_dump(mode="python", exclude_none=True)
    data["limits"]["amount"] = amount
    data["tests"] = []
    checked = check_spec(ProductSpec.model_validate(data)).checked
    applicant = dict(_approved(load_checked(catalog_path("tax_sme_loan"))), owner_share_ratio=5e-324,
                     sales_growth=-0.5)
    result = decision_module(checked).decide(applicant)
    assert result["decision"] == "decline" and result["reasons"][-1]["code"] == "L01"
    assert result["limit"] is None and result["apr"] is None
    assert_agree(checked, [applicant], f"tax_sme_loan with limits.amount {amount}")
