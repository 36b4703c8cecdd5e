"""A simulation's figures and a comparison drawn in the browser: pass/fail cards, charts, tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from designer.web import charts, state
from designer.web.state import tr
from validation.analysis.display import figure as format_figure
from validation.analysis.tables import checks_table, comparison_tables, metrics_tables

__all__ = ["figure_cards", "metric_charts", "post_loan", "tables", "comparison"]


def figure_cards(m) -> None:
    """Every headline figure against the risk appetite: a card each, marked pass or fail."""
    judged = [f for f in m.figures if f.targets]
    failed = [f for f in judged if f.passed is False]
    if judged:
        (st.error if failed else st.success)(tr("sim.appetite", failed=len(failed), judged=len(judged)),
                                             icon="⛔" if failed else "✅")
    cols = st.columns(4)
    for i, f in enumerate(m.figures):
        label = f.label_zh if state.lang() == "zh" else f.label_en
        verdict = "" if f.passed is None else (" ✅" if f.passed else " ⛔")
        target = "; ".join(f"{t.op} {format_figure(t.target, f.unit)}" for t in f.targets)
        with cols[i % 4].container(border=True):
            st.metric(label + verdict, format_figure(f.value, f.unit),
                      help=tr("sim.target", target=target) if target else None)
            if target:
                st.caption(tr("sim.target", target=target))


def _groups(rows) -> pd.DataFrame:
    return pd.DataFrame([{"group": f"{r.key} {r.label_zh if state.lang() == 'zh' else r.label_en}",
                          "approve": r.approve, "refer": r.refer, "decline": r.decline} for r in rows])


def metric_charts(m) -> None:
    c1, c2 = st.columns(2)
    with c1:
        frame = pd.DataFrame([{"step": s.label_zh if state.lang() == "zh" else s.label_en, "count": s.count,
                               "rate": s.rate} for s in m.funnel])
        st.altair_chart(charts.funnel(frame, tr("chart.funnel")), width="stretch")
    with c2:
        rows, before = [], m.applicants
        for r in m.rules:
            if r.first_hits:
                rows.append({"rule": r.code, "name": r.name_zh if state.lang() == "zh" else r.name_en,
                             "start": r.remaining, "end": before, "action": r.action, "first_hits": r.first_hits,
                             "hits": r.hits, "remaining": r.remaining})
            before = r.remaining
        if rows:
            st.altair_chart(charts.waterfall(pd.DataFrame(rows), tr("chart.waterfall")), width="stretch")
    c1, c2 = st.columns(2)
    with c1:
        scores = pd.DataFrame([{"lower": b.lower, "upper": b.upper, "approve": b.approve, "refer": b.refer,
                                "decline": b.decline} for b in m.score_histogram])
        cuts = pd.DataFrame([{"band": b.key, "min_score": b.min_score} for b in m.by_band if b.min_score is not None],
                            columns=["band", "min_score"])
        if len(scores):
            st.altair_chart(charts.score_distribution(scores, cuts, tr("chart.scores")), width="stretch")
    with c2:
        bands = pd.DataFrame([{"band": b.key, "bad_rate": b.bad_rate, "applicants": b.applicants} for b in m.by_band
                              if b.bad_rate is not None], columns=["band", "bad_rate", "applicants"])
        if len(bands):
            st.altair_chart(charts.bad_rate_by_band(bands, tr("chart.bad_rate_band")), width="stretch")
    cells = getattr(m, "by_combination", None) or []
    if cells:  # two models: each band x grade cell coloured by its bad rate (else model PD), the final band in it
        observed = any(c.bad_rate is not None for c in cells)
        rates = [(c, c.bad_rate if observed else c.pd) for c in cells]
        frame = pd.DataFrame([{"band": c.band, "grade": c.grade, "final": c.final, "applicants": c.applicants,
                               "rate": round(100 * rate, 2)} for c, rate in rates if c.applicants and rate is not None])
        if len(frame):
            st.altair_chart(charts.grid(frame, "band", "grade", "rate", tr("chart.combination"), label="final"),
                            width="stretch")
    c1, c2 = st.columns(2)
    if m.by_channel:
        c1.altair_chart(charts.grouped_outcomes(_groups(m.by_channel), tr("chart.by_channel")), width="stretch")
    if m.by_segment:
        c2.altair_chart(charts.grouped_outcomes(_groups(m.by_segment), tr("chart.by_segment")), width="stretch")
    c1, c2 = st.columns(2)
    for col, d, title, fmt in ((c1, m.limit, tr("chart.limits"), ",.0f"), (c2, m.apr, tr("chart.apr"), ".1%")):
        frame = pd.DataFrame([{"lower": b.lower, "upper": b.upper, "count": b.count} for b in d.histogram])
        if len(frame):
            col.altair_chart(charts.histogram(frame, title, fmt), width="stretch")


def post_loan(m) -> None:
    """The approved book aged month by month: vintage curve, roll rates, early warnings, collections."""
    r = getattr(m, "post_loan", None)
    if r is None:
        return
    st.subheader(tr("sim.post_loan"))
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("sim.m3plus_12"), format_figure(r.m3plus_rate_12, "rate"))
    c2.metric(tr("sim.m3plus_24"), format_figure(r.m3plus_rate_24, "rate"))
    c3.metric(tr("sim.written_off"), format_figure(r.vintage[-1].written_off_rate if r.vintage else None, "rate"))
    st.caption(tr("sim.pd_basis_" + r.pd_basis, loans=f"{r.loans:,}", months=r.months))
    lines = [{"series": tr("sim.all_loans"), "month": v.month, "rate": v.ever_m3plus_rate} for v in r.vintage]
    lines += [{"series": band, "month": v.month, "rate": rate} for v in r.vintage for band, rate in v.by_band.items()]
    c1, c2 = st.columns(2)
    c1.altair_chart(charts.vintage(pd.DataFrame(lines), tr("chart.vintage")), width="stretch")
    cells = [{"from": row.bucket, "to": to, "rate": rate, "label": f"{rate:.1%}"}
             for row in r.roll_matrix if row.loan_months for to, rate in row.rates.items()]
    if cells:
        c2.altair_chart(charts.grid(pd.DataFrame(cells), "from", "to", "rate", tr("chart.roll_rates"), label="label"),
                        width="stretch")
    steps = [{"month": c.month, "action": kind, "count": n} for c in r.collections for kind, n in c.actions.items() if n]
    if steps:
        st.altair_chart(charts.stacked_counts(pd.DataFrame(steps), "month", "action", "count",
                                              tr("chart.collections")), width="stretch")
    from validation.analysis.tables import post_loan_tables

    warnings = next(t for t in post_loan_tables(r) if t.id == "post_loan_warnings")
    _table(warnings)


def _table(table) -> None:
    st.markdown(f"**{table.title.pick(state.lang())}**")
    st.dataframe(table.records(state.lang()), hide_index=True, width="stretch")


def tables(m, checks: dict | None = None) -> None:
    with st.expander(tr("sim.tables")):
        for table in metrics_tables(m):
            _table(table)
        if checks and checks.get("available"):
            from validation.analysis.report import CheckLine

            _table(checks_table([CheckLine(c["check"], c["passed"], c["details"]) for c in checks["checks"]],
                                checks.get("rows")))


def comparison(c) -> None:
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("compare.approval"), format_figure(c.challenger_approval_rate, "rate"),
              delta=None if c.approval_rate_change is None else f"{c.approval_rate_change * 100:+.2f} pp")
    m2.metric(tr("compare.bad_rate"), format_figure(c.challenger_bad_rate_approved, "rate"),
              delta=None if c.bad_rate_approved_change is None else f"{c.bad_rate_approved_change * 100:+.2f} pp",
              delta_color="inverse")
    m3.metric(tr("compare.changed"), f"{c.diff_total:,}")
    s1, s2 = st.columns(2)
    s1.metric(tr("compare.swap_in"), f"{c.swap_in.count:,}", help=tr("compare.swap_in_help"))
    s2.metric(tr("compare.swap_out"), f"{c.swap_out.count:,}", help=tr("compare.swap_out_help"))
    cells = [{"champion": t.champion, "challenger": t.challenger, "count": t.count} for t in c.transitions]
    if cells:
        st.altair_chart(charts.grid(pd.DataFrame(cells), "champion", "challenger", "count", tr("compare.transitions")),
                        width="stretch")
    for table in comparison_tables(c):
        _table(table)
