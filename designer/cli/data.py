"""`loanstudio` commands for data: `sample-data` and `validate-data` (registered by designer.cli)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "format_report"]

from designer.cli.common import SpecArg, load_checked_or_exit
from designer.cli.exit_codes import EXIT_ERRORS as EXIT_FAILED
from designer.cli.exit_codes import EXIT_OK, EXIT_UNREADABLE, OutputFormat
from product_specs import limits


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("sample-data")(sample_data)
    app.command("validate-data")(validate_data)


def sample_data(
    spec: SpecArg,
    out: Annotated[Path | None, typer.Option("--out", help="Output file: .parquet or .csv.", show_default=False)] = None,
    rows: Annotated[int, typer.Option("--rows", min=1, max=limits.SAMPLE_MAX_ROWS, help="Number of applicants "
                                      "(at most LOANSTUDIO_MAX_SAMPLE_ROWS, default 100,000,000).")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same data).")] = 7,
    explain: Annotated[bool, typer.Option("--explain", help="Print how each field is drawn (declared or "
                                          "default), then write --out if given.")] = False,
) -> None:
    """Write a synthetic applicant population for the product (Parquet or CSV).

    Columns: every field of the data dictionary, plus outcomes from a hidden risk model: bad_flag
    (M3+ within 12 months), max_dpd_12m and loss_given_default. The same seed gives the same data.
    Each field is drawn as its `distribution` declares, or by defaults of its type, unit and range
    (--explain prints the plan).

    Exit 0 when written, 1 when the spec has errors, 2 when the spec or the output cannot be used.
    """
    from validation.data.sample_data import CHUNK_ROWS, write

    checked = load_checked_or_exit(spec)
    if explain:
        from validation.data.sample_plan import explain as plan_lines

        for line in plan_lines(checked):
            typer.echo(line)
        if out is None:
            raise typer.Exit(EXIT_OK)
    if out is None:
        typer.echo("give --out FILE (.parquet or .csv), or --explain", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    if out.suffix.lower() not in (".parquet", ".pq", ".csv"):
        typer.echo(f"{out}: use a .parquet or .csv file name", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    if not out.parent.is_dir():
        typer.echo(f"{out}: folder {out.parent} does not exist", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    try:
        with _progress(rows, show=rows > CHUNK_ROWS) as progress:
            write(checked, out, rows, seed, progress)
    except OSError as err:
        typer.echo(f"{out}: cannot write ({err.strerror or err})", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    typer.echo(f"{out}: {rows} applicants for {checked.product_id} (seed {seed}), bad rate {_bad_rate(out)}")


def validate_data(
    spec: SpecArg,
    data: Annotated[str, typer.Option("--data", help="Parquet or CSV file, or duckdb:FILE.db:TABLE.",
                                      show_default=False)],
    outputs: Annotated[bool, typer.Option("--outputs", help="The data holds simulated decisions: check "
                                          "APRs, limits and reasons instead of the inputs.")] = False,
    max_null_rate: Annotated[float, typer.Option("--max-null-rate", min=0, max=1,
                                                 help="Largest share of empty values in an optional field.")] = 0.5,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.TEXT,
) -> None:
    """Check data against the product's data dictionary with Great Expectations.

    Columns present, types, ranges, categories, required values, unique ids and empty-value rates; with
    --outputs, simulated decisions: APR within floor..cap, limits within min..max on the step, approvals
    with a limit, declines with a reason.

    Exit 0 when every check passes, 1 when any fails, 2 when the spec or the data cannot be read.
    """
    from validation.data import expectations

    checked = load_checked_or_exit(spec)
    try:
        if outputs:
            report = expectations.validate_outputs(checked, data)
        else:
            report = expectations.validate_data(checked, data, max_null_rate)
    except expectations.DataFileError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except Exception as err:  # noqa: BLE001 - a user sees a message, never a traceback
        typer.echo(f"{data}: the checks could not run ({type(err).__name__}: {err})", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    if output == "json":
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for line in format_report(report):
            typer.echo(line)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


def format_report(report) -> list[str]:
    """A data report as lines of a table: one row per failed check."""
    failed = len(report.failures)
    head = f"{report.source}: {report.rows} rows, {report.checks} checks, "
    if not failed:
        return [head + "all passed"]
    rows = [("field", "check", "bad rows", "expected", "problem / examples")]
    for f in report.failures:
        shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in f.examples)
        problem = "; ".join(p for p in (f.message, f"e.g. {shown}" if shown else "") if p)
        rows.append((f.field, f.kind, "-" if f.bad_rows is None else str(f.bad_rows), f.description, problem))
    widths = [min(max(len(r[i]) for r in rows), limit) for i, limit in enumerate((28, 16, 8, 48))]
    lines = [head + f"{failed} failed"]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), _cut(r[3], widths[3]), r[4]]
        lines.append("  ".join(cells).rstrip())
    return lines


def _cut(text: str, width: int) -> str:
    return (text if len(text) <= width else text[:width - 3] + "...").ljust(width)


@contextmanager
def _progress(total: int, show: bool):
    """A progress bar on stderr for long runs; yields the callback `progress(done, total)`."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rows", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _bad_rate(path: Path) -> str:
    import pandas as pd

    try:
        if path.suffix.lower() == ".csv":
            flags = pd.read_csv(path, usecols=["bad_flag"])["bad_flag"]
        else:
            flags = pd.read_parquet(path, columns=["bad_flag"])["bad_flag"]
    except (OSError, ValueError, KeyError):
        return "unknown"
    return f"{flags.mean():.2%}" if len(flags) else "n/a"
