"""The compiled decision of a product: load the generated Python module, run the SQL query, and run a
spec's example tests through either backend."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from generators.python.module import python_source
from generators.sql.query import decision_sql
from product_specs import CheckedSpec

__all__ = ["decision_module", "ExampleResult", "run_example_tests", "compare_expectation", "sql_decide_rows",
           "decision_connection", "plain_applicant"]

_MODULES: dict[str, ModuleType] = {}


@functools.cache
def _module_dir() -> Path:
    """One temporary folder per process for imported decision modules, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="loanstudio-decide-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def decision_module(checked: CheckedSpec) -> ModuleType:
    """Import the generated decision module of `checked` (cached per spec hash, per process).

    The source is written to a file and imported like any module: generated code, never user text, is
    what runs; user text only reaches it as quoted literals.
    """
    key = checked.spec_hash
    if key not in _MODULES:
        path = _module_dir() / f"decision_{key[:16]}.py"
        path.write_text(python_source(checked), encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"loanstudio_decision_{key[:16]}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[key] = module
    return _MODULES[key]


def decision_connection():
    """A DuckDB connection for simulations: no external access, no extensions loaded on the fly."""
    import duckdb

    return duckdb.connect(config={"enable_external_access": False, "autoinstall_known_extensions": False,
                                  "autoload_known_extensions": False})


def sql_decide_rows(checked: CheckedSpec, rows: list[dict], keep=()) -> list[dict]:
    """Decide a list of applicant dicts with the SQL backend (in-memory DuckDB)."""
    import pandas as pd

    from product_specs.sections import FieldType

    query = decision_sql(checked, keep=keep)  # refuses a kept column named like an output first
    columns = {}
    rows = [plain_applicant(r) for r in rows]
    for f in checked.spec.fields:
        values = [r.get(f.name) for r in rows]
        dtype = {FieldType.INTEGER: "Int64", FieldType.NUMBER: "Float64", FieldType.BOOLEAN: "boolean"}.get(
            f.type, "string")
        columns[f.name] = pd.array(values, dtype=dtype)
    for k in keep:
        columns.setdefault(k, [r.get(k) for r in rows])
    con = decision_connection()
    try:
        con.register("applicants", pd.DataFrame(columns))
        result = con.sql(query)
        names = result.columns
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


@dataclass
class ExampleResult:
    name: str
    passed: bool
    differences: list[str] = field(default_factory=list)
    actual: dict | None = None


def compare_expectation(expect, actual: dict) -> list[str]:
    """Differences between an expectation and a decision (only the parts the expectation sets)."""
    out = []
    if actual.get("decision") != expect.decision.value:
        out.append(f"decision: expected {expect.decision.value}, got {actual.get('decision')}")
    for key in ("segment", "band", "score"):
        want = getattr(expect, key)
        if want is not None and actual.get(key) != want:
            out.append(f"{key}: expected {want}, got {actual.get(key)}")
    if expect.reasons is not None:
        got = [r["code"] if isinstance(r, dict) else r for r in actual.get("reasons") or []]
        if got != list(expect.reasons):
            out.append(f"reasons: expected {list(expect.reasons)}, got {got}")
    for key, tolerance in (("limit", Decimal("0.005")), ("apr", Decimal("1e-9"))):
        want = getattr(expect, key)
        got = actual.get(key)
        if want is not None and (got is None or abs(Decimal(str(got)) - want) > tolerance):
            out.append(f"{key}: expected {want}, got {got}")
    return out


def run_example_tests(checked: CheckedSpec, backend: str = "python") -> list[ExampleResult]:
    """Run the spec's example tests through the Python module (default) or the SQL query."""
    tests = checked.spec.tests
    if not tests:
        return []
    if backend == "sql":
        outcomes: list = []
        rows = [t.applicant for t in tests]
        try:
            outcomes = sql_decide_rows(checked, rows)
        except Exception as err:  # noqa: BLE001 - a failing example must be reported, not crash the check
            return [ExampleResult(t.name, False, [f"SQL backend failed: {err}"]) for t in tests]
        return [_result(t, o) for t, o in zip(tests, outcomes, strict=True)]
    module = decision_module(checked)
    results = []
    for t in tests:
        try:
            actual = module.decide(plain_applicant(t.applicant), trace=False)
        except module.InputError as err:
            results.append(ExampleResult(t.name, False, [f"input error: {err}"]))
            continue
        results.append(_result(t, actual))
    return results


def plain_applicant(applicant: dict) -> dict:
    """An applicant as JSON would give it: exact spec decimals become int or float."""
    out = {}
    for key, value in applicant.items():
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        out[key] = value
    return out


def _result(test, actual: dict) -> ExampleResult:
    differences = compare_expectation(test.expect, actual)
    return ExampleResult(test.name, not differences, differences, actual)
