"""The `loanstudio` command line. Every command calls the same functions the designer uses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from designer.exit_codes import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, OutputFormat
from product_specs import (
    CheckReport,
    Finding,
    Severity,
    SpecError,
    SpecFileError,
    check_spec,
    json_schema,
    load_spec_with_lines,
)
from product_specs.catalog import catalog_paths

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Loan Studio: design, check, simulate and generate loan products.")


SpecArg = Annotated[Path, typer.Argument(help="Product spec YAML file.", show_default=False)]


def _say(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


def format_finding(f: Finding, source: str = "") -> str:
    where = source
    if f.line is not None:
        where += f":{f.line}" + (f":{f.column}" if f.column else "")
    prefix = f"{where}: " if where else ""
    body = str(f)
    if source and f.path == source:  # a finding about the whole file: the path is already in front
        body = f"{f.message} ({f.hint})" if f.hint else f.message
    return f"{prefix}{f.severity.value}: {body}"


def fail(err: SpecError, source: str = "", as_json: bool = False) -> typer.Exit:
    """Report a spec error without a traceback; return the exit to raise."""
    code = EXIT_UNREADABLE if isinstance(err, SpecFileError) else EXIT_ERRORS
    if as_json:
        _say(json.dumps([f.to_dict() for f in err.findings], ensure_ascii=False, indent=2))
    else:
        for f in err.findings:
            _say(format_finding(f, source), err=True)
    return typer.Exit(code)


def load_checked_or_exit(path: Path, as_json: bool = False):
    """Load and check a spec for a command that needs a CheckedSpec; exit 1/2 with findings otherwise."""
    try:
        spec, lines = load_spec_with_lines(path)
    except SpecError as err:
        raise fail(err, str(path), as_json) from None
    report = check_spec(spec, lines)
    if report.checked is None:
        raise fail(SpecError(report.errors), str(path), as_json)
    return report.checked


def run_check(path: Path) -> tuple[CheckReport | None, list[Finding], int]:
    """Load and check one file: (report, findings, exit code). Shared by `check` and `catalog`."""
    try:
        spec, lines = load_spec_with_lines(path)
    except SpecError as err:
        return None, err.findings, EXIT_UNREADABLE if isinstance(err, SpecFileError) else EXIT_ERRORS
    report = check_spec(spec, lines)
    findings = list(report.findings)
    if report.checked is not None:
        findings += example_test_findings(report.checked)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return report, findings, EXIT_ERRORS if errors else EXIT_OK


def example_test_findings(checked) -> list[Finding]:
    """Run the spec's example tests through the compiled decision function (a failure is an error)."""
    from generators.decision import run_example_tests

    out = []
    for result in run_example_tests(checked):
        if not result.passed:
            out.append(Finding(Severity.ERROR, "example_test", f"tests[{result.name}]",
                               "example test fails: " + "; ".join(result.differences), section="tests",
                               item=result.name))
    return out


@app.command()
def check(spec: SpecArg,
          output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.TEXT
          ) -> None:
    """Check a product spec: references, coverage, pricing, limits, buckets, reasons, example tests.

    Exit 0 when clean (warnings allowed), 1 when errors are found, 2 when the file is unreadable.
    """
    report, findings, code = run_check(spec)
    if output == "json":
        _say(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        raise typer.Exit(code)
    for f in findings:
        _say(format_finding(f, str(spec)), err=f.severity is Severity.ERROR)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if code == EXIT_UNREADABLE:
        _say(f"{spec}: cannot be read", err=True)
    else:
        _say(f"{spec}: {errors} error(s), {warnings} warning(s)")
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a product spec."""
    _say(json_schema())


@app.command()
def catalog() -> None:
    """Check every catalog product and print a summary (the main job of `make run`)."""
    worst = EXIT_OK
    rows = []
    for path in catalog_paths():
        report, findings, code = run_check(path)
        worst = max(worst, code)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        spec = report.checked.spec if report and report.checked else None
        name = f"{spec.product.name.zh} / {spec.product.name.en}" if spec else path.stem
        tests = len(spec.tests) if spec else 0
        rules = len(spec.admission) if spec else 0
        rows.append((path.stem, name, rules, tests, errors, len(findings) - errors, "ok" if code == 0 else "FAIL"))
        for f in findings:
            if f.severity is Severity.ERROR:
                _say(format_finding(f, str(path)), err=True)
    _say(f"{'product':<26} {'rules':>5} {'tests':>5} {'errors':>6} {'warnings':>8}  status  name")
    for stem, name, rules, tests, errors, warnings, status in rows:
        _say(f"{stem:<26} {rules:>5} {tests:>5} {errors:>6} {warnings:>8}  {status:<6}  {name}")
    _say(f"{len(rows)} product(s) checked")
    raise typer.Exit(worst)


def _read_applicant(source: str) -> dict:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        _say(f"{source}: cannot read applicant: {reason}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        _say(f"{source}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    if not isinstance(data, dict):
        _say(f"{source}: the applicant must be a JSON object of field values", err=True)
        raise typer.Exit(EXIT_ERRORS)
    return data


@app.command()
def decide(spec: SpecArg,
           applicant: Annotated[str, typer.Option("--applicant", "-a", help="Applicant JSON file, or - for stdin.")],
           trace: Annotated[bool, typer.Option("--trace/--no-trace", help="Include the decision trace.")] = True,
           ) -> None:
    """Decide one applicant and print the decision as JSON (exit 1 on an input error)."""
    from generators.decision import decision_module

    checked = load_checked_or_exit(spec)
    data = _read_applicant(applicant)
    module = decision_module(checked)
    try:
        result = module.decide(data, trace=trace)
    except module.InputError as err:
        _say(json.dumps({"error": "invalid applicant", "details": err.errors}, ensure_ascii=False, indent=2))
        raise typer.Exit(EXIT_ERRORS) from None
    _say(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("test")
def test_command(spec: SpecArg,
                 backend: Annotated[str, typer.Option(help="python, sql or both.")] = "both") -> None:
    """Run the spec's example tests and report each pass or fail with its differences."""
    from generators.decision import run_example_tests

    checked = load_checked_or_exit(spec)
    backends = ["python", "sql"] if backend == "both" else [backend]
    if any(b not in ("python", "sql") for b in backends):
        _say(f"unknown backend {backend!r}: use python, sql or both", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    failed = total = 0
    for name in backends:
        for result in run_example_tests(checked, name):
            total += 1
            mark = "PASS" if result.passed else "FAIL"
            _say(f"{mark} [{name}] {result.name}")
            for diff in result.differences:
                _say(f"     {diff}")
            failed += not result.passed
    _say(f"{total - failed} passed, {failed} failed")
    raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)


@app.command("compile")
def compile_command(spec: SpecArg,
                    target: Annotated[str, typer.Option(help="python, duckdb or spark.")] = "python",
                    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None) -> None:
    """Print the compiled decision: the Python module or the SQL query (DuckDB or Spark)."""
    from generators.python_module import python_source
    from generators.sql_query import decision_sql

    checked = load_checked_or_exit(spec)
    if target == "python":
        text = python_source(checked)
    elif target in ("duckdb", "spark"):
        text = decision_sql(checked, dialect=target) + "\n"
    else:
        _say(f"unknown target {target!r}: use python, duckdb or spark", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as err:
            _say(f"{out}: cannot write ({err.strerror or err})", err=True)
            raise typer.Exit(EXIT_UNREADABLE) from None
        _say(f"wrote {out}")


def _register_commands() -> None:
    from designer import cli_data, cli_simulate

    cli_data.register(app)
    cli_simulate.register(app)


_register_commands()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
