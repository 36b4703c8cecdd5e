"""What a user can do with a product, for every front end: functions that return results and findings.

The command line, the Streamlit designer and the tests call these; none of them exits, prints or draws.
A front end turns the results into exit codes, terminal tables or widgets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from product_specs import (
    CheckedSpec,
    CheckReport,
    Finding,
    Severity,
    SpecError,
    SpecFileError,
    check_spec,
    load_spec_with_lines,
)

__all__ = [
    "CheckOutcome", "check_file", "load_checked_file", "example_test_findings", "ApplicantError",
    "parse_applicant", "DataChoice", "default_data", "SimulationOutcome", "simulate_product",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CheckOutcome:
    """The result of checking one spec file: its report (None when unreadable) and every finding."""

    path: Path
    report: CheckReport | None
    findings: list[Finding]
    unreadable: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is not Severity.ERROR]

    @property
    def checked(self) -> CheckedSpec | None:
        """The checked spec, only when nothing (example tests included) has an error."""
        if self.report is None or self.errors:
            return None
        return self.report.checked


def check_file(path: Path) -> CheckOutcome:
    """Load and check one spec file, example tests included."""
    try:
        spec, lines = load_spec_with_lines(path)
    except SpecError as err:
        return CheckOutcome(path, None, list(err.findings), unreadable=isinstance(err, SpecFileError))
    report = check_spec(spec, lines)
    findings = list(report.findings)
    if report.checked is not None:
        findings += example_test_findings(report.checked)
    return CheckOutcome(path, report, findings)


def load_checked_file(path: Path) -> CheckedSpec:
    """Load and check a spec for work that needs a CheckedSpec; raise SpecError with the findings otherwise.

    Example tests are not run here (`check_file` runs them): a product whose example fails can still be
    decided, simulated and compared, which is how a product manager finds out why it fails.
    """
    spec, lines = load_spec_with_lines(path)
    report = check_spec(spec, lines)
    if report.checked is None:
        raise SpecError(report.errors)
    return report.checked


def example_test_findings(checked: CheckedSpec) -> list[Finding]:
    """Run the spec's example tests through the compiled decision function (a failure is an error)."""
    from generators.decision import run_example_tests

    out = []
    for result in run_example_tests(checked):
        if not result.passed:
            out.append(Finding(Severity.ERROR, "example_test", f"tests[{result.name}]",
                               "example test fails: " + "; ".join(result.differences), section="tests",
                               item=result.name))
    return out


class ApplicantError(ValueError):
    """An applicant document that is not a JSON object; `unreadable` when it is not JSON at all."""

    def __init__(self, message: str, unreadable: bool):
        super().__init__(message)
        self.unreadable = unreadable


def parse_applicant(text: str, source: str = "applicant") -> dict:
    """Parse one applicant from JSON text; raise ApplicantError with a located message."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApplicantError(f"{source}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}", True) from None
    if not isinstance(data, dict):
        raise ApplicantError(f"{source}: the applicant must be a JSON object of field values", False)
    return data


@dataclass(frozen=True)
class DataChoice:
    """The applicants a simulation runs on when the user names none, and how to describe them."""

    source: object  # a path, or a generated table
    description: str


def default_data(checked: CheckedSpec, samples_dir: Path, rows: int | None = None, seed: int | None = None
                 ) -> DataChoice:
    """A catalog product's default sample (cached in `samples_dir`), or a generated sample for any other."""
    from product_specs.catalog import catalog_path
    from validation.data import sample_data

    rows = sample_data.DEFAULT_ROWS if rows is None else rows
    seed = sample_data.DEFAULT_SEED if seed is None else seed
    product_id = checked.spec.product.id
    if catalog_path(product_id).is_file():
        import pyarrow.parquet as pq

        path = sample_data.default_sample(product_id, samples_dir, rows, seed)
        if {f.name for f in checked.spec.fields} <= set(pq.read_schema(path).names):
            return DataChoice(path, f"{path} (默认样本 / default sample)")
    return DataChoice(sample_data.generate(checked, rows, seed), f"{rows:,} generated applicants (seed {seed})")


@dataclass
class SimulationOutcome:
    """Every figure of a simulation (with the comparison when a champion was given) and the output checks."""

    metrics: object
    comparison: object | None
    checks: dict
    result: object = field(repr=False, default=None)


def simulate_product(checked: CheckedSpec, data, champion: CheckedSpec | None = None,
                     progress: Progress | None = None, report_path: Path | None = None) -> SimulationOutcome:
    """Simulate a product (or compare it with a champion) -> figures -> output checks -> optional report.

    Raises validation's SimulationError when the data cannot be used and OSError when the report cannot
    be written.
    """
    from validation.analysis.compare import compare_products
    from validation.analysis.metrics import compute_metrics
    from validation.analysis.report import CheckLine, write_report
    from validation.analysis.simulate import check_outputs, simulate

    def say(stage: str) -> None:
        if progress is not None:
            progress(stage, 0, 1)

    def stage(label: str):
        if progress is None:
            return None
        names = {"read": "读取 / reading", "decide": "决策 / deciding"}
        return lambda step, done, total: progress(f"{label}: {names.get(step, step)}", done, total)

    comparison = None
    if champion is None:
        result = simulate(checked, data, stage("模拟 / simulating"))
    else:
        _, result, comparison = compare_products(champion, checked, data, stage("冠军/挑战者 / champion & challenger"))
    say("指标 / figures")
    metrics = compute_metrics(result)
    say("输出校验 / output checks")
    checks = check_outputs(result)
    if report_path is not None:
        say("报告 / report")
        lines = [CheckLine(c["check"], c["passed"], c["details"]) for c in checks.get("checks", [])]
        write_report(report_path, metrics, comparison, lines)
    return SimulationOutcome(metrics, comparison, checks, result)
