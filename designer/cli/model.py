"""`loanstudio` commands for risk analysts: `spec infer`, `scorecard train | calibrate`, `cutoffs`, `drift`
(registered by designer.cli). Each calls a function of designer.use_cases, as the designer does.

Exit codes: 0 done, 1 the spec has errors (or the result fails `check`), 2 a file cannot be read or
written, or the data cannot train, calibrate or judge a model.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from designer.cli.common import SpecArg, load_checked_or_exit, say
from designer.cli.exit_codes import EXIT_ERRORS, EXIT_UNREADABLE

__all__ = ["register"]

spec_app = typer.Typer(no_args_is_help=True, help="Draft product specs from data.")
scorecard_app = typer.Typer(no_args_is_help=True, help="Train a scorecard from outcomes, or refit its PD.")

DataOpt = Annotated[str, typer.Option("--data", help="Parquet or CSV file, or duckdb:FILE.db:TABLE.",
                                      show_default=False)]
TargetOpt = Annotated[str, typer.Option("--target", help="Outcome column: 1 bad, 0 good, empty unknown.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the new spec here (YAML).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


class Monotonic(StrEnum):
    AUTO = "auto"
    NONE = "none"


class Model(StrEnum):
    FIRST = "first"
    SECOND = "second"


class RejectInference(StrEnum):
    NONE = "none"
    PARCELLING = "parcelling"
    FUZZY = "fuzzy"


class By(StrEnum):
    SEGMENT = "segment"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    spec_app.command("infer")(infer)
    scorecard_app.command("train")(train)
    scorecard_app.command("calibrate")(calibrate)
    app.add_typer(spec_app, name="spec")
    app.add_typer(scorecard_app, name="scorecard")
    app.command("cutoffs")(cutoffs)
    app.command("drift")(drift)


def _fail(message: str, code: int = EXIT_UNREADABLE):
    say(message, err=True)
    raise typer.Exit(code)


def _model_errors():
    from validation.analysis.simulate import SimulationError
    from validation.data.data_files import DataFileError
    from validation.model.features import ModelDataError

    return ModelDataError, SimulationError, DataFileError, ValueError


def _console():
    from designer.cli.simulate import _console

    return _console()


def _print_tables(tables) -> None:
    from designer.cli.simulate import print_table

    console = _console()
    for table in tables:
        print_table(console, table)
        if table.note is not None:
            console.print(f"  {table.note.en}", markup=False)


def _out_ok(out: Path | None) -> None:
    if out is not None and not out.parent.is_dir():
        _fail(f"{out}: folder {out.parent} does not exist")


def _write_checked_spec(spec, out: Path | None, what: str) -> None:
    """Save the new spec and check it (as `loanstudio check` does); exit 1 when it has errors."""
    from designer.use_cases import check_file, save_spec_file
    from product_specs import Severity

    if out is None:
        return
    try:
        save_spec_file(spec, out)
    except OSError as err:
        _fail(f"{out}: cannot write ({err.strerror or err})")
    outcome = check_file(out)
    errors = [f for f in outcome.findings if f.severity is Severity.ERROR]
    warnings = len(outcome.findings) - len(errors)
    for f in errors:
        say(f"{out}: {f}", err=True)
    say(f"wrote {what} to {out}: {len(errors)} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(EXIT_ERRORS)


# --- spec infer --------------------------------------------------------------------------------------------

def infer(
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="Write the drafted spec here (YAML).", show_default=False)],
    target: Annotated[str | None, typer.Option("--target", help="Outcome column (left out of the fields).",
                                               show_default=False)] = None,
    id_column: Annotated[str | None, typer.Option("--id", help="Applicant id column.", show_default=False)] = None,
    product_id: Annotated[str | None, typer.Option("--product-id", help="Product id (default: from the file name).",
                                                   show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft a product spec from a data file: a data dictionary (types, ranges, categories, PII guesses)
    and placeholder sections that pass `check`. Then: `scorecard train`, `cutoffs`."""
    import re

    from designer.use_cases import infer_product, save_spec_file
    from product_specs import ProductSpec

    _out_ok(out)
    pid = product_id or re.sub(r"[^a-z0-9_]+", "_", Path(str(data)).stem.lower()).strip("_") or "inferred_product"
    if not re.match(r"^[a-z]", pid):
        pid = f"product_{pid}"[:64]
    try:
        result = infer_product(data, target, id_column, pid[:64])
    except _model_errors() as err:
        _fail(str(err))
    save_spec_file(ProductSpec.model_validate(result.spec), out)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"Data dictionary inferred from {data} ({result.rows:,} rows)"), title_justify="left")
    for name in ("field", "type", "required", "empty", "range / categories", "pii"):
        table.add_column(name)
    for c in result.columns:
        span = (", ".join(c.categories[:8]) + (" ..." if len(c.categories) > 8 else "") if c.categories
                else f"{c.min:g}..{c.max:g}" if c.min is not None else "")
        table.add_row(*(Text(str(v)) for v in (c.name, c.type, "yes" if c.required else "no",
                                                f"{c.missing_share:.1%}", span, "PII" if c.pii else "")))
    _console().print(table)
    for note in result.notes:
        say(f"note: {note}")
    if result.bad_rate is not None:
        say(f"target {target}: bad rate {result.bad_rate:.2%}")
    say(f"wrote {out}")


# --- scorecard train / calibrate -----------------------------------------------------------------------------

def train(
    spec: SpecArg,
    data: DataOpt,
    target: TargetOpt = "bad_flag",
    out: OutOpt = None,
    test_size: Annotated[float, typer.Option("--test-size", min=0.05, max=0.9, help="Share held out for testing.")] = 0.3,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the split and the binning.")] = 7,
    monotonic: Annotated[Monotonic, typer.Option("--monotonic", help="auto (detect the trend) or none.")] = Monotonic.AUTO,
    max_features: Annotated[int | None, typer.Option("--max-features", min=1, max=100, show_default=False,
                                                     help="At most this many characteristics.")] = None,
    reject_inference: Annotated[RejectInference, typer.Option(
        "--reject-inference", help="Rows without an outcome: none (left out), parcelling or fuzzy.")] = RejectInference.NONE,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="A field never to score (repeatable).",
                                                      show_default=False)] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the model report as HTML here.",
                                                show_default=False)] = None,
    model: Annotated[Model, typer.Option("--model", help="Which scorecard of a product with two: first, or second "
                                         "(graded and combined by its matrix).")] = Model.FIRST,
    as_json: JsonOpt = False,
) -> None:
    """Train the product's scorecard on outcomes: supervised binning (train split only), WOE, IV, selection,
    logistic regression, points scaled so the written scaling is the fit, PD calibration, reason codes.
    Prints the model report (AUC, KS, Gini on train and test, IV, bins, odds, calibration); --out writes the
    new spec (band cut-offs keep each band's share; example tests re-derived) and checks it. A product with two
    scorecards trains one at a time, each on the fields the other does not score: --model second trains the
    second (its grade cut-offs keep each grade's share); either way the PD is fitted on both scores."""
    from designer.use_cases import train_product
    from validation.analysis.tables import model_tables
    from validation.model.scorecard import TrainOptions

    _out_ok(out)
    _out_ok(report)
    checked = load_checked_or_exit(spec, as_json)
    options = TrainOptions(target=target, test_size=test_size, seed=seed, monotonic=monotonic.value,
                           max_features=max_features, reject_inference=reject_inference.value,
                           exclude=tuple(exclude or ()), source=str(data), model=model.value)
    try:
        result = train_product(checked, data, options)
    except _model_errors() as err:
        _fail(str(err))
    if report is not None:
        from validation.analysis.report import render_model_report

        try:
            report.write_text(render_model_report(result.report), encoding="utf-8")
        except OSError as err:
            _fail(f"{report}: cannot write ({err.strerror or err})")
    if as_json:
        typer.echo(json.dumps({"model": result.report.to_dict(), "changed_examples": result.changed_examples},
                              ensure_ascii=False, indent=2, default=str))
    else:
        _print_tables(model_tables(result.report))
        r = result.report
        say(f"scaling from the fit: {r.scaling['base_score']} points at odds {r.scaling['base_odds']:g}:1, "
            f"PDO {r.scaling['pdo']:g}; PD = 1 / (1 + exp(-({_log_odds(r.pd_mapping)})))")
        for note in r.notes:
            say(f"note: {note}")
        for line in result.changed_examples:
            say(f"example re-derived: {line}")
    _write_checked_spec(result.spec, out, "the trained spec")


def calibrate(
    spec: SpecArg,
    data: DataOpt,
    target: TargetOpt = "bad_flag",
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Refit the score-to-PD mapping on newer outcomes (points unchanged) and show predicted against
    observed PD per band; --out writes the spec with the new calibration and the scaling it implies."""
    from designer.use_cases import calibrate_product
    from validation.analysis.tables import Bi, Column, Table

    _out_ok(out)
    checked = load_checked_or_exit(spec, as_json)
    try:
        new_spec, result = calibrate_product(checked, data, target, str(data))
    except _model_errors() as err:
        _fail(str(err))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        say(f"{result.rows:,} rows with outcomes, {result.bads:,} bads; PD was from the {result.old['source']} "
            f"(log-odds {_log_odds(result.old)}), now {_log_odds(result.new)}")
        _print_tables([Table("calibration", Bi("校准", "Calibration per band (new mapping)"),
                             (Column(Bi("评分档", "Band"), "code"), Column(Bi("人数", "Rows"), "count"),
                              Column(Bi("坏客户", "Bads"), "count"), Column(Bi("预测PD", "Predicted PD (model)"), "rate"),
                              Column(Bi("实际坏账率", "Observed bad rate"), "rate"),
                              Column(Bi("实际/预测", "Observed / predicted"), "ratio_plain")),
                             tuple((c.group, c.count, c.bads, c.predicted_pd, c.observed_bad_rate, c.ratio)
                                   for c in result.by_band))])
    _write_checked_spec(new_spec, out, "the calibrated spec")


def _log_odds(mapping: dict) -> str:
    """`a +b x score` (and `+c x second_score` with two scorecards) of a PD mapping."""
    text = f"{mapping['intercept']:.6g} {mapping['slope']:+.6g} x score"
    if mapping.get("second_slope"):
        text += f" {mapping['second_slope']:+.6g} x second_score"
    return text


# --- cutoffs -----------------------------------------------------------------------------------------------

def cutoffs(
    spec: SpecArg,
    data: DataOpt,
    max_bad_rate: Annotated[float | None, typer.Option("--max-bad-rate", min=0, max=1, show_default=False,
                                                       help="Bad rate (model PD) among approved at most this.")] = None,
    target_approval: Annotated[float | None, typer.Option("--target-approval", min=0, max=1, show_default=False,
                                                          help="The most approving cut-off up to this approval rate.")] = None,
    max_el_rate: Annotated[float | None, typer.Option("--max-el-rate", min=0, max=1, show_default=False,
                                                      help="EL rate (model PD) among approved at most this.")] = None,
    by: Annotated[By | None, typer.Option("--by", help="segment: a cut-off per segment.", show_default=False)] = None,
    target: TargetOpt = "bad_flag",
    out: OutOpt = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write the frontier chart as HTML here.",
                                               show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the band cut-offs against the risk appetite (or the given target): the approval vs bad-rate vs
    expected-loss frontier per segment, the cut-offs meeting it written into the bands (--out), and the
    swap set against the current cut-offs, from a full simulation of both."""
    from designer.use_cases import product_cutoffs
    from validation.analysis.tables import cutoff_tables
    from validation.model.cutoffs import Constraints

    _out_ok(out)
    _out_ok(chart)
    checked = load_checked_or_exit(spec, as_json)
    given = (max_bad_rate, max_el_rate, target_approval)
    constraints = Constraints(*given) if any(v is not None for v in given) else None
    try:
        result = product_cutoffs(checked, data, constraints, by is By.SEGMENT, target)
    except _model_errors() as err:
        _fail(str(err))
    if chart is not None:
        _write_frontier_chart(result, chart)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        from designer.cli.simulate import print_comparison

        _print_tables(cutoff_tables(result))
        for note in result.notes:
            say(f"note: {note}")
        if result.comparison is not None:
            print_comparison(_console(), result.comparison)
    _write_checked_spec(result.spec, out, "the spec with the new cut-offs")


def _write_frontier_chart(result, path: Path) -> None:
    import altair as alt

    data = [{"segment": r.segment, "approval": r.approval_rate, "bad_rate": r.bad_rate_model,
             "el_rate": r.el_rate_model, "shift": r.shift} for r in result.frontier if r.approval_rate]
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=False).encode(
        x=alt.X("approval:Q", axis=alt.Axis(format="%"), title="通过率 / Approval rate"),
        y=alt.Y("bad_rate:Q", axis=alt.Axis(format="%"), title="坏账率（模型PD）/ Bad rate (model PD)"),
        color=alt.Color("segment:N", title="客群 / Segment"),
        tooltip=["segment:N", "shift:Q", alt.Tooltip("approval:Q", format=".1%"),
                 alt.Tooltip("bad_rate:Q", format=".2%"), alt.Tooltip("el_rate:Q", format=".3%")],
    ).properties(title="通过率—坏账率前沿 / Approval vs bad rate frontier", width=520, height=320)
    try:
        chart.save(str(path), format="html", inline=True)
    except OSError as err:
        _fail(f"{path}: cannot write ({err.strerror or err})")


# --- drift -------------------------------------------------------------------------------------------------

def drift(
    spec: SpecArg,
    baseline: Annotated[str, typer.Option("--baseline", help="The development (baseline) population.",
                                          show_default=False)],
    current: Annotated[str, typer.Option("--current", help="The current population.", show_default=False)],
    chart: Annotated[Path | None, typer.Option("--chart", help="Write the PSI/CSI chart as HTML here.",
                                               show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Population stability: PSI of the score and CSI of every characteristic, with traffic lights
    (< 0.1 stable, 0.1-0.25 watch, > 0.25 act)."""
    from designer.use_cases import product_drift
    from validation.analysis.tables import drift_tables

    _out_ok(chart)
    checked = load_checked_or_exit(spec, as_json)
    try:
        report = product_drift(checked, baseline, current)
    except _model_errors() as err:
        _fail(str(err))
    if chart is not None:
        import altair as alt

        data = [{"what": r.name, "index": r.index, "light": r.light} for r in report.rows]
        picture = alt.Chart(alt.Data(values=data)).mark_bar().encode(
            x=alt.X("what:N", sort=None, title=None), y=alt.Y("index:Q", title="PSI / CSI"),
            color=alt.Color("light:N", scale=alt.Scale(domain=["stable", "watch", "act"],
                                                       range=["#2e7d32", "#f9a825", "#c62828"])),
        ).properties(title="稳定性 / Stability (PSI, CSI)", width=480, height=260)
        try:
            picture.save(str(chart), format="html", inline=True)
        except OSError as err:
            _fail(f"{chart}: cannot write ({err.strerror or err})")
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    _print_tables(drift_tables(report)[:1])
    for note in report.notes:
        say(f"note: {note}")
