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
from validation.analysis.display import figure, money, pct, short, signed_pp

_DIFF_ROWS_PRINTED = 20


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
) -> None:
    """Simulate the product on a population: approval, refer and decline rates by segment, channel and
    band, automation rate, rule hits and waterfall, score distribution and bad rate per band, bad rate
    and expected loss of approved and declined applicants, limit and APR distributions, volume lent,
    each judged against the risk appetite; with --champion, swap-in / swap-out sets and what changed.

    Exit 0 when simulated (whatever the figures), 1 when a spec has errors, 2 when the data or a file
    cannot be read or written.
    """
    from designer.settings import settings
    from designer.use_cases import default_data, simulate_product
    from validation.analysis.simulate import SimulationError

    checked = load_checked_or_exit(spec, as_json)
    champion_checked = load_checked_or_exit(champion, as_json) if champion is not None else None
    if data is None:
        choice = default_data(checked, settings().samples_dir)
        typer.echo(f"数据 / data: {choice.description}", err=True)
        source = choice.source
    else:
        source = data
    with _stages() as progress:
        try:
            outcome = simulate_product(checked, source, champion_checked, progress, report)
        except SimulationError as err:
            _fail(str(err), EXIT_UNREADABLE)
        except OSError as err:
            _fail(f"{report}: cannot write the report ({err.strerror or err})", EXIT_UNREADABLE)
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


def _verdict(passed):
    from rich.text import Text

    if passed is None:
        return Text("—")
    return Text("PASS", style="bold green") if passed else Text("FAIL", style="bold red")


def _add(table, *cells) -> None:
    """Add a row; text cells are shown as they are (a `[b]` in a spec path is not markup)."""
    from rich.text import Text

    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _table(title: str, *columns: str, left: int = 1):
    """A table whose first `left` columns are text (left-aligned) and the rest figures."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left", title_style="bold")
    for i, name in enumerate(columns):
        table.add_column(escape(name), justify="left" if i < left else "right")
    return table


def print_metrics(console, m) -> None:
    """Every figure of a simulation as readable tables."""
    console.print(f"{m.product_name_zh} / {m.product_name_en} ({m.product_id} v{m.product_version}, "
                  f"spec {m.spec_hash[:12]}): {m.applicants:,} applicants from {m.source}, "
                  f"simulated in {m.simulate_seconds:.2f} s", markup=False)
    t = _table("核心指标 / Key figures (risk appetite)", "figure", "actual", "target", "result")
    for f in m.figures:
        target = "; ".join(f"{x.op} {figure(x.target, f.unit)}" for x in f.targets) or "—"
        _add(t, f"{f.label_zh} / {f.label_en}", figure(f.value, f.unit), target, _verdict(f.passed))
    console.print(t)
    t = _table("决策漏斗 / Decision funnel", "step", "applicants", "share")
    for s in m.funnel:
        _add(t, f"{s.label_zh} / {s.label_en}", f"{s.count:,}", pct(s.rate, 1))
    console.print(t)
    for title, rows in (("客群 / By segment", m.by_segment), ("渠道 / By channel", m.by_channel),
                        ("评分档 / By band", m.by_band)):
        band = rows is m.by_band
        t = _table(title, "name", *(["min score"] if band else []), "applicants", "share", "approve", "refer",
                   "decline", "bad rate", "bad rate approved", "avg score")
        for r in rows:
            lowest = ["—" if r.min_score is None else str(r.min_score)] if band else []
            _add(t, f"{r.key} {r.label_zh} / {r.label_en}", *lowest, f"{r.applicants:,}", pct(r.share, 1),
                 pct(r.approval_rate, 1), pct(r.refer_rate, 1), pct(r.decline_rate, 1), pct(r.bad_rate),
                 pct(r.bad_rate_approved), "—" if r.average_score is None else f"{r.average_score:.1f}")
        console.print(t)
    t = _table("规则命中与瀑布 / Rule hits and waterfall", "code", "rule", "action", "hits", "hit rate", "first hits",
               "unique hits", "remaining", "bad rate of hits", left=3)
    for r in m.rules:
        _add(t, r.code, f"{r.name_zh} / {r.name_en}", r.action, f"{r.hits:,}", pct(r.hit_rate), f"{r.first_hits:,}",
             f"{r.unique_hits:,}", f"{r.remaining:,}", pct(r.bad_rate_hit))
    console.print(t)
    t = _table("评分分布 / Score distribution", "score", "approve", "refer", "decline", "bad rate")
    for b in m.score_histogram:
        _add(t, f"{b.lower:g}-{b.upper:g}", f"{b.approve:,}", f"{b.refer:,}", f"{b.decline:,}", pct(b.bad_rate))
    console.print(t)
    el = m.expected_loss
    t = _table(f"预期损失 / Expected loss (PD x LGD x EAD; EAD = {el.basis.replace('_', ' ')})", "population",
               "EL rate")
    for name, value in (("approved", pct(el.approved_rate, 3)), ("referred", pct(el.referred_rate, 3)),
                        ("declined", pct(el.declined_rate, 3)), ("all", pct(el.overall_rate, 3)),
                        ("declined / approved", figure(el.declined_to_approved, "ratio")),
                        ("approved EL on limits", money(el.approved_el_on_limits)),
                        ("approved EL rate on limits", pct(el.approved_rate_on_limits, 3)),
                        ("mean LGD of bad applicants", pct(el.mean_lgd, 1))):
        _add(t, name, value)
    console.print(t)
    _print_distributions(console, m)
    for note in m.notes:
        console.print(f"note: {note}", markup=False)


def _print_distributions(console, m) -> None:
    t = _table(f"额度与利率 / Limits and APR of approved (volume lent {money(m.value('volume_lent'))})", "value",
               "count", "mean", "min", "p5", "p25", "p50", "p75", "p95", "max")
    for name, d, fmt in (("limit", m.limit, money), ("APR", m.apr, pct)):
        q = d.quantiles
        _add(t, name, f"{d.count:,}", fmt(d.mean), fmt(d.min), fmt(q["p05"]), fmt(q["p25"]), fmt(q["p50"]),
             fmt(q["p75"]), fmt(q["p95"]), fmt(d.max))
    console.print(t)
    for name, d, fmt in (("额度分布 / Limit histogram", m.limit, money), ("利率分布 / APR histogram", m.apr, pct)):
        t = _table(name, "from", "to", "approved", "")
        t.columns[-1].justify = "left"
        top = max((b.count for b in d.histogram), default=0)
        for b in d.histogram:
            _add(t, fmt(b.lower), fmt(b.upper), f"{b.count:,}", "#" * round(30 * b.count / top) if top else "")
        console.print(t)


def print_comparison(console, c) -> None:
    """A champion / challenger comparison as readable tables."""
    t = _table("冠军 / 挑战者 / Champion vs challenger", "", "champion", "challenger", "change")
    _add(t, "product", f"{c.champion['product_id']} {c.champion['version']} ({c.champion['spec_hash'][:12]})",
         f"{c.challenger['product_id']} {c.challenger['version']} ({c.challenger['spec_hash'][:12]})", "")
    _add(t, "approval rate", pct(c.champion_approval_rate), pct(c.challenger_approval_rate),
         signed_pp(c.approval_rate_change))
    _add(t, "bad rate among approved", pct(c.champion_bad_rate_approved), pct(c.challenger_bad_rate_approved),
         signed_pp(c.bad_rate_approved_change))
    console.print(t)
    t = _table("换入 / 换出 / Swap sets", "set", "applicants", "of which referred", "share", "bad rate", "limits")
    for s, name in ((c.swap_in, "swap-in (champion declines or refers, challenger approves)"),
                    (c.swap_out, "swap-out (champion approves, challenger declines or refers)")):
        _add(t, name, f"{s.count:,}", f"{s.referred:,}", pct(s.share), pct(s.bad_rate), money(s.volume))
    console.print(t)
    t = _table("决策迁移 / Decision transitions (rows: champion, columns: challenger)", "champion", "approve",
               "refer", "decline")
    for a in ("approve", "refer", "decline"):
        counts = {x.challenger: x.count for x in c.transitions if x.champion == a}
        _add(t, a, *(f"{counts.get(b, 0):,}" for b in ("approve", "refer", "decline")))
    console.print(t)
    t = _table("策略差异 / What changed in the spec", "category", "path", "change", "before", "after", left=5)
    for s in c.spec_changes:
        _add(t, s.category, s.path, s.kind, short(s.before, 60), short(s.after, 60))
    console.print(t if c.spec_changes else "策略差异 / What changed in the spec: nothing", markup=False)
    console.print(f"结果差异 / Outcome differences: {c.diff_total:,} applicants change decision, limit or APR "
                  f"(decision {c.changed_decision:,}, limit {c.changed_limit:,}, APR {c.changed_apr:,})", markup=False)
    t = _table(f"first {min(_DIFF_ROWS_PRINTED, len(c.diff_rows))} (decision changes first; all in --report and "
               "--json)", "row", "applicant", "changes", "decision", "limit", "APR", "reasons", "bad", left=3)
    for r in c.diff_rows[:_DIFF_ROWS_PRINTED]:
        _add(t, str(r.row), r.applicant_id or "", ",".join(r.changes),
             f"{r.champion_decision} -> {r.challenger_decision}",
             f"{money(r.champion_limit)} -> {money(r.challenger_limit)}",
             f"{pct(r.champion_apr)} -> {pct(r.challenger_apr)}",
             f"{' '.join(r.champion_reasons) or '-'} -> {' '.join(r.challenger_reasons) or '-'}",
             "—" if r.bad is None else str(r.bad))
    if c.diff_rows:
        console.print(t)
    for note in c.notes:
        console.print(f"note: {note}", markup=False)


def _print_checks(console, checks: dict) -> None:
    if not checks.get("available"):
        console.print("输出校验 / output checks: not available in this build")
        return
    t = _table(f"输出校验 / Checks of the simulated outputs (Great Expectations, {checks['rows']:,} rows)", "check",
               "result", "details", left=3)
    for c in checks["checks"]:
        _add(t, c["check"], _verdict(c["passed"]), c["details"])
    console.print(t)
