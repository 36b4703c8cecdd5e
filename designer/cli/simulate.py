"""`loanstudio simulate`: a product's strategy on a population, judged against its risk appetite
(registered by designer.cli)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "simulate_command", "print_metrics", "print_comparison"]

from designer.cli.common import SpecArg, load_checked_or_exit
from designer.cli.exit_codes import EXIT_UNREADABLE


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("simulate")(simulate_command)


def simulate_command(
    spec: SpecArg,
    data: Annotated[str | None, typer.Option(
        "--data", help="Applicants: Parquet or CSV file, or duckdb:FILE.db:TABLE. Default: the product's "
                       "sample (a catalog product's default sample, else a generated one).",
        show_default=False)] = None,
    champion: Annotated[Path | None, typer.Option(
        "--champion", help="Compare with this product (the champion) on the same applicants.",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write a self-contained HTML report here.", show_default=False)] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="Where the decisions run: duckdb (this process) or spark (reads Parquet; see "
                         "--spark-master, --spark-remote).")] = "duckdb",
    spark_master: Annotated[str | None, typer.Option(
        "--spark-master", help="Spark master for --engine spark: local[2] (default), spark://host:7077, yarn. "
                               "Under spark-submit, leave it out.", show_default=False)] = None,
    spark_remote: Annotated[str | None, typer.Option(
        "--spark-remote", help="Spark Connect server for --engine spark, e.g. sc://host:15002 "
                               "(default: $SPARK_REMOTE).", show_default=False)] = None,
    months: Annotated[int | None, typer.Option(
        "--months", min=1, max=60, help="Age the approved book this many months (1-60): vintage curve, roll "
                                         "rates, M3+ at months 12 and 24, early warnings, collection workload.",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the post-loan ageing (--months).")] = 7,
    decisions_out: Annotated[Path | None, typer.Option(
        "--decisions-out", help="Write every applicant's decision here (.parquet or .csv): id, segment, score, "
                                "pd, band, decision, reasons, limit, apr.", show_default=False)] = None,
) -> None:
    """Simulate the product on a population: approval, refer and decline rates by segment, channel and
    band, automation rate, rule hits and waterfall, score distribution and bad rate per band, bad rate
    and expected loss of approved and declined applicants, limit and APR distributions, volume lent,
    each judged against the risk appetite; with --champion, swap-in / swap-out sets and what changed;
    with --months, the approved book aged month by month (vintage, roll rates, early warnings, collections).

    Exit 0 when simulated (whatever the figures), 1 when a spec has errors, 2 when the data or a file
    cannot be read or written.
    """
    from designer.settings import settings
    from designer.use_cases import default_data, simulate_product
    from validation.analysis.simulate import SimulationError

    checked = load_checked_or_exit(spec, as_json)
    champion_checked = load_checked_or_exit(champion, as_json) if champion is not None else None
    spark = _spark_target(engine, spark_master, spark_remote)
    if data is None and spark is not None:
        _fail("--engine spark reads the applicants from Parquet: give --data FILE.parquet (or a folder)",
              EXIT_UNREADABLE)
    if data is None:
        choice = default_data(checked, settings().samples_dir)
        typer.echo(f"数据 / data: {choice.description}", err=True)
        source = choice.source
    else:
        source = data
    with _stages() as progress:
        try:
            outcome = simulate_product(checked, source, champion_checked, progress, report, spark, months, seed)
        except SimulationError as err:
            _fail(str(err), EXIT_UNREADABLE)
        except OSError as err:
            _fail(f"{report}: cannot write the report ({err.strerror or err})", EXIT_UNREADABLE)
    if decisions_out is not None:
        from designer.use_cases import write_decisions_file

        try:
            write_decisions_file(outcome, decisions_out)
        except SimulationError as err:
            _fail(str(err), EXIT_UNREADABLE)
        except OSError as err:
            _fail(f"{decisions_out}: cannot write the decisions ({err.strerror or err})", EXIT_UNREADABLE)
    metrics, comparison, checks = outcome.metrics, outcome.comparison, outcome.checks
    if as_json:
        typer.echo(json.dumps({"metrics": metrics.to_dict(), "comparison": comparison.to_dict() if comparison
                               else None, "output_checks": checks}, ensure_ascii=False, indent=2, default=str))
    else:
        console = _console()
        print_metrics(console, metrics)
        if comparison is not None:
            print_comparison(console, comparison)
        _print_checks(console, checks)
        if report is not None:
            console.print(f"报告 / report: {report}", markup=False)
        if decisions_out is not None:
            console.print(f"决策明细 / decisions: {decisions_out}", markup=False)


def _spark_target(engine: str, master: str | None, remote: str | None):
    """The SparkTarget of --engine spark (None for duckdb); exit 2 on an unknown engine or a bad URL."""
    if engine not in ("duckdb", "spark"):
        _fail(f"unknown engine {engine[:40]!r}: use duckdb or spark", EXIT_UNREADABLE)
    if engine == "duckdb":
        if master is not None or remote is not None:
            _fail("--spark-master and --spark-remote go with --engine spark", EXIT_UNREADABLE)
        return None
    from validation.analysis.spark import SparkTarget, SparkUnavailable

    try:
        return SparkTarget(master, remote)
    except SparkUnavailable as err:
        _fail(str(err), EXIT_UNREADABLE)


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


# --- progress ------------------------------------------------------------------------------------------

@contextmanager
def _stages():
    """Progress on stderr, one line per stage; yields progress(stage, done, total)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                for other in tasks.values():  # a new stage finishes the earlier ones
                    task = bar.tasks[other]
                    bar.update(other, completed=task.total)
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


# --- printing ------------------------------------------------------------------------------------------

def _console():
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=160, no_color=True, highlight=False)
    return console


def _cell(value, column):
    """A cell as rich Text (never markup: a `[b]` in a spec path is shown as it is)."""
    from rich.text import Text

    from validation.analysis.tables import format_cell

    if column.unit == "verdict":
        if value is None:
            return Text("—")
        return Text("PASS", style="bold green") if value else Text("FAIL", style="bold red")
    return Text(format_cell(value, column))


def print_table(console, table) -> None:
    """Draw one presentation-neutral table (validation.analysis.tables) in the terminal."""
    from rich.table import Table
    from rich.text import Text

    out = Table(title=Text(str(table.title)), title_justify="left", title_style="bold")
    for column in table.columns:
        out.add_column(Text(column.label.en), justify="right" if column.numeric else "left")
    for row in table.rows:
        out.add_row(*(_cell(v, c) for v, c in zip(row, table.columns, strict=True)))
    console.print(out)


def print_metrics(console, m) -> None:
    """Every figure of a simulation as readable tables."""
    from validation.analysis.display import money
    from validation.analysis.tables import metrics_tables

    console.print(f"{m.product_name_zh} / {m.product_name_en} ({m.product_id} v{m.product_version}, "
                  f"spec {m.spec_hash[:12]}): {m.applicants:,} applicants from {m.source}, "
                  f"simulated in {m.simulate_seconds:.2f} s", markup=False)
    for table in metrics_tables(m):
        if table.id == "distributions":
            console.print(f"volume lent: {money(table.extra['volume_lent'])}", markup=False)
        print_table(console, table)
    for note in m.notes:
        console.print(f"note: {note}", markup=False)


def print_comparison(console, c) -> None:
    """A champion / challenger comparison as readable tables."""
    from validation.analysis.tables import DIFF_ROWS_PRINTED, comparison_tables

    for table in comparison_tables(c, DIFF_ROWS_PRINTED):
        if table.id == "spec_changes" and not table.rows:
            console.print("策略差异 / What changed in the spec: nothing", markup=False)
            continue
        if table.id == "diff":
            console.print(f"结果差异 / Outcome differences: {c.diff_total:,} applicants change decision, limit or "
                          f"APR (decision {c.changed_decision:,}, limit {c.changed_limit:,}, APR {c.changed_apr:,})",
                          markup=False)
            if not table.rows:
                continue
            console.print(f"first {table.extra['shown']} (decision changes first; all in --report and --json)",
                          markup=False)
        print_table(console, table)
    for note in c.notes:
        console.print(f"note: {note}", markup=False)


def _print_checks(console, checks: dict) -> None:
    from validation.analysis.report import CheckLine
    from validation.analysis.tables import checks_table

    if not checks.get("available"):
        console.print("输出校验 / output checks: not available in this build")
        return
    lines = [CheckLine(c["check"], c["passed"], c["details"]) for c in checks["checks"]]
    print_table(console, checks_table(lines, checks["rows"]))
