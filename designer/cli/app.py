"""The `loanstudio` command line. Every command calls the same functions the designer uses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from designer.cli import data, design, generate, model, simulate, workspace
from designer.cli.common import SpecArg, format_finding, load_checked_or_exit, say
from designer.cli.exit_codes import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, OutputFormat
from designer.use_cases import ApplicantError, CheckOutcome, check_file, parse_applicant, read_applicant_file
from product_specs import Severity, json_schema, limits
from product_specs.catalog import baseline_paths, catalog_paths
from product_specs.errors import printable

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Loan Studio: design, check, simulate and generate loan products.")


@app.command()
def check(spec: SpecArg,
          output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.TEXT
          ) -> None:
    """Check a product spec: references, coverage, pricing, limits, buckets, reasons, example tests.

    Exit 0 when clean (warnings allowed), 1 when errors are found, 2 when the file is unreadable.
    """
    outcome = check_file(spec)
    findings, code = outcome.findings, _exit_code(outcome)
    if output == "json":
        say(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        raise typer.Exit(code)
    for f in findings:
        say(format_finding(f, str(spec)), err=f.severity is Severity.ERROR)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if code == EXIT_UNREADABLE:
        say(f"{spec}: cannot be read", err=True)
    else:
        say(f"{spec}: {errors} error(s), {warnings} warning(s)")
    raise typer.Exit(code)


def _exit_code(outcome: CheckOutcome) -> int:
    if outcome.unreadable:
        return EXIT_UNREADABLE
    return EXIT_ERRORS if outcome.errors else EXIT_OK


@app.command()
def schema() -> None:
    """Print the JSON Schema of a product spec."""
    say(json_schema())


@app.command()
def catalog(
    results: Annotated[bool, typer.Option(
        "--results", help="Also simulate every product against its baseline (the bank's own policy) on its default "
                          "sample and show each figure the seed reports beside the simulated one.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --results: print the results as JSON.")] = False,
    rows: Annotated[int | None, typer.Option(
        "--rows", min=1000, max=limits.SAMPLE_MAX_ROWS, help="With --results: applicants per product "
        "(default: the default sample's size).", show_default=False)] = None,
) -> None:
    """Check every catalog product and its baseline and print a summary (the main job of `make run`); with
    --results, reproduce the seed's results (exit 1 when a figure's shape does not hold)."""
    worst = _check_catalog(quiet=as_json)
    if results:
        worst = max(worst, _catalog_results(rows, as_json))
    raise typer.Exit(worst)


def _check_catalog(quiet: bool) -> int:
    worst = EXIT_OK
    rows = []
    for path in catalog_paths() + baseline_paths():
        outcome = check_file(path)
        findings, code = outcome.findings, _exit_code(outcome)
        worst = max(worst, code)
        errors = len(outcome.errors)
        report = outcome.report
        spec = report.checked.spec if report and report.checked else None
        name = f"{spec.product.name.zh} / {spec.product.name.en}" if spec else path.stem
        tests = len(spec.tests) if spec else 0
        rules = len(spec.admission) if spec else 0
        rows.append((path.stem, name, rules, tests, errors, len(findings) - errors, "ok" if code == 0 else "FAIL"))
        for f in findings:
            if f.severity is Severity.ERROR:
                say(format_finding(f, str(path)), err=True)
    if quiet:
        return worst
    say(f"{'product':<30} {'rules':>5} {'tests':>5} {'errors':>6} {'warnings':>8}  status  name")
    for stem, name, rules, tests, errors, warnings, status in rows:
        say(f"{stem:<30} {rules:>5} {tests:>5} {errors:>6} {warnings:>8}  {status:<6}  {name}")
    say(f"{len(rows)} product(s) checked")
    return worst


def _catalog_results(rows: int | None, as_json: bool) -> int:
    from designer.cli.simulate import _console, _stages, print_table
    from designer.settings import settings
    from designer.use_cases import catalog_results
    from validation.analysis.seed_results import results_table

    with _stages() as progress:
        found = catalog_results(settings().samples_dir, rows, progress)
    if as_json:
        say(json.dumps([r.to_dict() for r in found], ensure_ascii=False, indent=2))
    else:
        console = _console()
        for r in found:
            table = results_table(r)
            print_table(console, table)
            if table.note is not None:
                console.print(str(table.note), markup=False)
    return EXIT_ERRORS if any(r.holds is False for r in found) else EXIT_OK


def _read_applicant(source: str) -> dict:
    try:
        if source == "-":
            text = sys.stdin.read(limits.APPLICANT_MAX_BYTES + 1)  # never more than the bound into memory
        else:
            text = read_applicant_file(Path(source) if "\x00" not in source else source)
    except UnicodeDecodeError:
        say(f"{source}: cannot read applicant: not UTF-8 text", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except ApplicantError as err:
        say(str(err), err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    try:
        return parse_applicant(text, printable(source))
    except ApplicantError as err:
        say(str(err), err=True)
        raise typer.Exit(EXIT_UNREADABLE if err.unreadable else EXIT_ERRORS) from None


@app.command()
def decide(spec: SpecArg,
           applicant: Annotated[str, typer.Option("--applicant", "-a", help="Applicant JSON file, or - for stdin.")],
           trace: Annotated[bool, typer.Option("--trace/--no-trace", help="Include the decision trace.")] = True,
           ) -> None:
    """Decide one applicant and print the decision as JSON (exit 1 on an input error)."""
    from generators.decision import decision_module

    checked = load_checked_or_exit(spec)
    values = _read_applicant(applicant)
    module = decision_module(checked)
    try:
        result = module.decide(values, trace=trace)
    except module.InputError as err:
        say(json.dumps({"error": "invalid applicant", "details": err.errors}, ensure_ascii=False, indent=2))
        raise typer.Exit(EXIT_ERRORS) from None
    say(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("test")
def test_command(spec: SpecArg,
                 backend: Annotated[str, typer.Option(help="python, sql or both.")] = "both") -> None:
    """Run the spec's example tests and report each pass or fail with its differences."""
    from generators.decision import run_example_tests

    checked = load_checked_or_exit(spec)
    backends = ["python", "sql"] if backend == "both" else [backend]
    if any(b not in ("python", "sql") for b in backends):
        say(f"unknown backend {backend!r}: use python, sql or both", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    failed = total = 0
    for name in backends:
        for result in run_example_tests(checked, name):
            total += 1
            mark = "PASS" if result.passed else "FAIL"
            say(f"{mark} [{name}] {result.name}")
            for diff in result.differences:
                say(f"     {diff}")
            failed += not result.passed
    say(f"{total - failed} passed, {failed} failed")
    raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)


@app.command("compile")
def compile_command(spec: SpecArg,
                    target: Annotated[str, typer.Option(help="python, duckdb or spark.")] = "python",
                    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None) -> None:
    """Print the compiled decision: the Python module or the SQL query (DuckDB or Spark)."""
    from generators.python.module import python_source
    from generators.sql.query import decision_sql

    checked = load_checked_or_exit(spec)
    if target == "python":
        text = python_source(checked)
    elif target in ("duckdb", "spark"):
        text = decision_sql(checked, dialect=target) + "\n"
    else:
        say(f"unknown target {target!r}: use python, duckdb or spark", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as err:
            say(f"{out}: cannot write ({err.strerror or err})", err=True)
            raise typer.Exit(EXIT_UNREADABLE) from None
        say(f"wrote {out}")


data.register(app)
simulate.register(app)
design.register(app)
workspace.register(app)
generate.register(app)
model.register(app)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
