"""The simulation report: one self-contained HTML file (charts, tables, pass/fail) a product manager can email.

Steps: Metrics (+ Comparison, + output checks) --render_report--> HTML text --write_report--> file.
Charts are Altair (Vega-Lite) specs drawn by the Vega JavaScript bundle embedded in the page, so the
file opens offline. Only aggregates and masked identifiers reach the page: no personal data.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from validation.analysis.compare import Comparison
from validation.analysis.display import money, pct
from validation.analysis.metrics import Distribution, Metrics
from validation.analysis.tables import (
    Bi,
    Column,
    Table,
    checks_table,
    comparison_tables,
    format_cell,
    metrics_tables,
)

__all__ = ["render_report", "write_report", "render_model_report", "model_section", "CheckLine", "CHART_IDS",
           "MODEL_CHART_IDS"]

CHART_IDS = ("funnel", "waterfall", "score_distribution", "band_bad_rate", "limit_distribution",
             "apr_distribution")
"""Charts every report draws (ids of their elements); a comparison adds `transitions`, data with outcomes
MODEL_CHART_IDS."""
MODEL_CHART_IDS = ("roc", "ks")
_DECISION_COLOURS = {"approve": "#2e7d32", "refer": "#f9a825", "decline": "#c62828"}
_DECISION_LABELS = {"approve": ("通过", "Approve"), "refer": ("转人工", "Refer"), "decline": ("拒绝", "Decline")}
_MAX_REPORT_DIFF_ROWS = 2000


@dataclass
class CheckLine:
    """One line of the output checks (e.g. a Great Expectations expectation on the simulated outputs)."""

    name: str
    passed: bool
    details: str = ""


# --- formatting ----------------------------------------------------------------------------------------

def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _bi(zh: str, en: str) -> str:
    return f'{_e(zh)} <span class="en">/ {_e(en)}</span>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "", attrs: str = "",
           row_classes: Sequence[str] = ()) -> str:
    """A table; headers and cells are HTML already escaped by the caller."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    classes = list(row_classes) + [""] * (len(rows) - len(row_classes))
    body = "\n".join((f'<tr class="{c}">' if c else "<tr>") + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                     for row, c in zip(rows, classes, strict=True))
    return f'<table class="{cls}" {attrs}><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def _verdict(passed: bool | None) -> str:
    if passed is None:
        return '<span class="na">—</span>'
    return '<span class="pass">通过 PASS</span>' if passed else '<span class="fail">未达标 FAIL</span>'


# --- charts --------------------------------------------------------------------------------------------

def _decision_scale():
    import altair as alt

    return alt.Scale(domain=list(_DECISION_COLOURS), range=list(_DECISION_COLOURS.values()))


def _funnel_chart(m: Metrics):
    import altair as alt

    data = [{"step": f"{s.label_zh} / {s.label_en}", "order": i, "count": s.count,
             "label": f"{s.count:,} ({pct(s.rate, 1)})"} for i, s in enumerate(m.funnel)]
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("step:N", sort=[d["step"] for d in data], title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("count:Q", title="申请人数 / Applicants"))
    return (base.mark_bar(color="#1565c0") + base.mark_text(align="left", dx=4).encode(text="label:N")).properties(
        title="决策漏斗 / Decision funnel", width=520, height=28 * len(data))


def _waterfall_chart(m: Metrics):
    import altair as alt

    data = [{"step": "申请 / Applicants", "order": 0, "start": 0, "end": m.applicants, "action": "total",
             "count": m.applicants}]
    before = m.applicants
    for i, r in enumerate(m.rules, start=1):
        if r.first_hits:
            data.append({"step": f"{r.code} {r.name_zh} / {r.name_en}", "order": i, "start": r.remaining,
                         "end": before, "action": r.action, "count": r.first_hits})
        before = r.remaining
    data.append({"step": "通过 / Approved", "order": len(m.rules) + 1, "start": 0, "end": m.approve,
                 "action": "approve", "count": m.approve})
    colours = alt.Scale(domain=["total", "decline", "refer", "approve"],
                        range=["#546e7a", _DECISION_COLOURS["decline"], _DECISION_COLOURS["refer"],
                               _DECISION_COLOURS["approve"]])
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("step:N", sort=[d["step"] for d in data], title=None, axis=alt.Axis(labelLimit=320)))
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title="申请人数 / Applicants"), x2="end:Q",
        color=alt.Color("action:N", scale=colours, title="类型 / Kind", legend=alt.Legend(orient="bottom")),
        tooltip=["step:N", "count:Q"])
    text = base.mark_text(align="left", dx=4).encode(x="end:Q", text=alt.Text("count:Q", format=","))
    return (bars + text).properties(title="规则瀑布（首次命中）/ Rule waterfall (first hits)", width=520,
                                    height=max(22 * len(data), 120))


def _score_chart(m: Metrics):
    import altair as alt

    data = [{"lower": b.lower, "upper": b.upper, "decision": d, "count": getattr(b, d)}
            for b in m.score_histogram for d in _DECISION_COLOURS if getattr(b, d)]
    bars = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("lower:Q", bin="binned", title="评分 / Score"), x2="upper:Q",
        y=alt.Y("count:Q", stack=True, title="申请人数 / Applicants"),
        color=alt.Color("decision:N", scale=_decision_scale(), title="决策 / Decision"),
        tooltip=["lower:Q", "upper:Q", "decision:N", "count:Q"])
    cuts = [{"score": b.min_score, "band": b.key} for b in m.by_band if b.min_score is not None]
    rules = alt.Chart(alt.Data(values=cuts)).mark_rule(strokeDash=[4, 3], color="#333").encode(
        x="score:Q", tooltip=["band:N", "score:Q"])
    return (bars + rules).properties(title="评分分布（按决策）/ Score distribution by decision", width=560,
                                     height=260)


def _band_chart(m: Metrics):
    import altair as alt

    data, labels = [], [f"{b.key}: {b.label_zh}" for b in m.by_band]
    for b, label in zip(m.by_band, labels, strict=True):
        data.append({"band": label, "what": "全体 / all", "bad_rate": b.bad_rate})
        data.append({"band": label, "what": "通过 / approved", "bad_rate": b.bad_rate_approved})
    return alt.Chart(alt.Data(values=[d for d in data if d["bad_rate"] is not None])).mark_bar().encode(
        x=alt.X("band:N", sort=labels, title="评分档 / Band", axis=alt.Axis(labelAngle=0)),
        xOffset="what:N",
        y=alt.Y("bad_rate:Q", axis=alt.Axis(format="%"), title="坏账率 / Bad rate"),
        color=alt.Color("what:N", scale=alt.Scale(range=["#78909c", "#2e7d32"]), title=None),
        tooltip=["band:N", "what:N", alt.Tooltip("bad_rate:Q", format=".2%")],
    ).properties(title="各评分档坏账率 / Bad rate per band", width=420, height=240)


def _combination_chart(m: Metrics):
    """A two-model product's matrix as a heat map: each band x grade cell coloured by its bad rate (observed,
    else the model PD) and labelled with the final band the matrix gives it."""
    import altair as alt

    observed = any(c.bad_rate is not None for c in m.by_combination)
    data = [{"band": c.band, "grade": c.grade, "final": c.final, "applicants": c.applicants,
             "rate": c.bad_rate if observed else c.pd} for c in m.by_combination if c.applicants]
    what = "坏账率 / Bad rate" if observed else "模型PD / Model PD"
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("grade:N", sort=None, title="第二评分等级 / Grade of the second score", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("band:N", sort=None, title="首个评分分档 / Band of the first score"))
    rect = base.mark_rect().encode(color=alt.Color("rate:Q", scale=alt.Scale(scheme="yelloworangered"), title=what,
                                                   legend=alt.Legend(format="%")),
                                   tooltip=["band:N", "grade:N", "final:N", "applicants:Q",
                                            alt.Tooltip("rate:Q", format=".2%")])
    text = base.mark_text(color="black").encode(text="final:N")
    return (rect + text).properties(title="双模型矩阵：最终分档与坏账率 / The two models' matrix: final band and bad rate",
                                    width=360, height=40 * len({c.band for c in m.by_combination}))


def _histogram_chart(d: Distribution, title: str, axis: str, fmt: str):
    import altair as alt

    data = [{"lower": b.lower, "upper": b.upper, "count": b.count} for b in d.histogram]
    return alt.Chart(alt.Data(values=data)).mark_bar(color="#1565c0").encode(
        x=alt.X("lower:Q", bin="binned", title=axis, axis=alt.Axis(format=fmt)), x2="upper:Q",
        y=alt.Y("count:Q", title="通过人数 / Approved"),
        tooltip=[alt.Tooltip("lower:Q", format=fmt), alt.Tooltip("upper:Q", format=fmt), "count:Q"],
    ).properties(title=title, width=420, height=220)


def _transition_chart(c: Comparison):
    import altair as alt

    data = [{"champion": t.champion, "challenger": t.challenger, "count": t.count} for t in c.transitions]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("challenger:N", sort=list(_DECISION_COLOURS), title="挑战者 / Challenger"),
        y=alt.Y("champion:N", sort=list(_DECISION_COLOURS), title="冠军 / Champion"))
    return (base.mark_rect().encode(color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None))
            + base.mark_text().encode(text=alt.Text("count:Q", format=","))).properties(
        title="决策迁移 / Decision transitions", width=240, height=180)


@functools.cache
def _vega_bundle() -> str:
    import altair as alt
    import vl_convert as vlc

    bundle = vlc.javascript_bundle(vl_version=alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0])
    return bundle.replace("</script", "<\\/script")


def _embed(chart_id: str, chart) -> str:
    # no "<" at all inside the script: spec text can never open or close a tag there
    spec = json.dumps(chart.to_dict(), ensure_ascii=False).replace("<", "\\u003c")
    return (f'<div class="chart" id="chart-{chart_id}"></div>\n<script>vegaEmbed("#chart-{chart_id}", {spec}, '
            '{"mode": "vega-lite", "actions": false, "renderer": "svg"}).catch(console.error);</script>')


# --- sections ------------------------------------------------------------------------------------------

def _label(text: Bi) -> str:
    return _e(text.zh) if text.zh == text.en else _bi(text.zh, text.en)


def _html_cell(value, column: Column) -> str:
    if isinstance(value, Bi):
        return _label(value)
    if value is not None and column.unit == "code":
        return f"<b>{_e(value)}</b>"
    if value is not None and column.unit == "path":
        return f"<code>{_e(value)}</code>"
    if column.unit == "verdict":
        return _verdict(value)
    return _e(format_cell(value, column))


def _html_table(t: Table, cls: str = "", attrs: str = "") -> str:
    """One presentation-neutral table (validation.analysis.tables) as HTML, every text escaped."""
    rows = [[_html_cell(v, c) for v, c in zip(row, t.columns, strict=True)] for row in t.rows]
    classes = [{True: "pass-row", False: "fail-row"}.get(s, "") for s in t.row_status]
    return _table([_label(c.label) for c in t.columns], rows, cls or t.id, attrs, row_classes=classes)


def _note(t: Table) -> str:
    return f"<p class='notes'>{_e(t.note.zh)} / {_e(t.note.en)}</p>" if t.note else ""


def _comparison_section(c: Comparison) -> str:
    tables = {t.id: t for t in comparison_tables(c, _MAX_REPORT_DIFF_ROWS)}
    parts = [f"<h2>{_bi('冠军 / 挑战者', 'Champion / challenger')}</h2>", _html_table(tables["comparison"], "compare"),
             f"<h3>{_bi('换入 / 换出', 'Swap-in / swap-out')}</h3>", _html_table(tables["swaps"]),
             _embed("transitions", _transition_chart(c)),
             f"<h3>{_bi('金额', 'In money: approvals, volume, EL, income, expected profit')}</h3>",
             _note(tables["money"]), f'<div class="scroll">{_html_table(tables["money"], "groups")}</div>',
             f"<h3>{_bi('策略差异', 'What changed in the spec')}</h3>"]
    if c.spec_changes:
        parts.append(_html_table(tables["spec_changes"], "spec-changes"))
    else:
        parts.append("<p>两份策略相同 / The two specs are the same.</p>")
    parts.append(f"<h3>{_bi('结果差异明细', 'Outcome differences')}</h3>")
    shown = tables["diff"].extra["shown"]
    parts.append(f"<p>{_e(f'{c.diff_total:,}')} 位申请人的决策、额度或利率发生变化 / applicants change decision, "
                 f"limit or APR (decision {c.changed_decision:,}, limit {c.changed_limit:,}, APR {c.changed_apr:,})"
                 + (f"; 表中列出前 {shown:,} 位 / the table lists the first {shown:,}, decision changes first"
                    if c.diff_total > shown else "") + ".</p>")
    parts.append('<div class="filters"><input type="search" id="diff-filter" placeholder="筛选 / Filter…"> '
                 '<select id="diff-change"><option value="">全部变化 / all changes</option>'
                 '<option value="decision">决策 / decision</option><option value="limit">额度 / limit</option>'
                 '<option value="apr">利率 / APR</option></select> <span id="diff-count"></span></div>')
    diff = _html_table(tables["diff"], "sortable diff", 'id="diff-table"')
    parts.append(f'<div class="scroll">{diff}</div>')
    return "\n".join(parts)


def _roc_chart(r):
    import altair as alt

    data = [{"fpr": a, "tpr": b} for a, b in r.roc]
    line = alt.Chart(alt.Data(values=data)).mark_line(color="#1565c0").encode(
        x=alt.X("fpr:Q", title="误拒好客户比例 / False positive rate"), y=alt.Y("tpr:Q", title="识别坏客户比例 / True positive rate"))
    diagonal = alt.Chart(alt.Data(values=[{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}])).mark_line(
        strokeDash=[4, 3], color="#888").encode(x="fpr:Q", y="tpr:Q")
    auc = r.test.auc
    return (line + diagonal).properties(title=f"ROC 曲线 / ROC curve (AUC {auc:.3f})" if auc is not None else "ROC",
                                        width=320, height=300)


def _ks_chart(r):
    import altair as alt

    data = [{"score": s, "share": v, "who": who} for s, b, g in r.ks_curve
            for who, v in (("坏客户 / bads", b), ("好客户 / goods", g))]
    ks = r.test.ks
    return alt.Chart(alt.Data(values=data)).mark_line().encode(
        x=alt.X("score:Q", title="评分 / Score", scale=alt.Scale(zero=False)),
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="累计占比 / Cumulative share"),
        color=alt.Color("who:N", scale=alt.Scale(range=["#c62828", "#2e7d32"]), title=None),
    ).properties(title=f"KS 曲线 / KS curve (KS {ks:.3f})" if ks is not None else "KS", width=360, height=300)


def model_section(r) -> str:
    """The model section: quality, IV and bins (a trained model), odds table, calibration, ROC and KS."""
    from validation.analysis.tables import model_tables

    tables = {t.id: t for t in model_tables(r)}
    parts = [f"<h2>{_bi('评分模型', 'Scorecard model')}</h2>", _html_table(tables["model_quality"], "groups"),
             _note(tables["model_quality"])]
    if r.roc:
        parts.append(_embed("roc", _roc_chart(r)))
    if r.ks_curve:
        parts.append(_embed("ks", _ks_chart(r)))
    for key, title in (("model_iv", ("信息值", "Information value")), ("model_bins", ("分箱", "Bins")),
                       ("model_odds", ("好坏比", "Odds table")),
                       ("model_calibration", ("校准", "Calibration (predicted vs observed)"))):
        if key in tables:
            parts += [f"<h3>{_bi(*title)}</h3>", _html_table(tables[key], "groups"), _note(tables[key])]
    if r.notes:
        parts.append("<ul class='notes'>" + "".join(f"<li>{_e(n)}</li>" for n in r.notes) + "</ul>")
    return "\n".join(parts)


def _vintage_chart(r):
    import altair as alt

    data = []
    for v in r.vintage:
        data.append({"month": v.month, "series": "全部 / all", "rate": v.ever_m3plus_rate})
        data += [{"month": v.month, "series": f"{band}档 / band {band}", "rate": rate} for band, rate in v.by_band.items()]
    return alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("month:Q", title="账龄（月）/ Months on book", scale=alt.Scale(domain=[1, r.months])),
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="累计M3+ / Ever M3+"),
        color=alt.Color("series:N", title=None),
        tooltip=["series:N", "month:Q", alt.Tooltip("rate:Q", format=".2%")],
    ).properties(title="账龄曲线 / Vintage curve (cumulative M3+)", width=560, height=260)


def _collections_chart(r):
    import altair as alt

    data = [{"month": c.month, "action": action, "count": count}
            for c in r.collections for action, count in c.actions.items() if count]
    return alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("month:O", title="月份 / Month", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", stack=True, title="催收动作 / Collection steps"),
        color=alt.Color("action:N", title=None), tooltip=["month:O", "action:N", "count:Q"],
    ).properties(title="催收工作量 / Collection workload per month", width=560, height=240)


def post_loan_section(r) -> str:
    """The post-loan section: summary, vintage curve, roll rates, early warnings, collection workload."""
    from validation.analysis.tables import post_loan_tables

    tables = {t.id: t for t in post_loan_tables(r)}
    return "\n".join([
        f"<h2>{_bi('贷后表现', 'Post-loan performance')}</h2>", _note(tables["post_loan_summary"]),
        _html_table(tables["post_loan_summary"]), _embed("vintage", _vintage_chart(r)),
        f"<h3>{_bi('账龄曲线', 'Vintage')}</h3>", _html_table(tables["post_loan_vintage"], "groups"),
        f"<h3>{_bi('迁徙率', 'Roll rates')}</h3>", _html_table(tables["post_loan_roll"], "groups"),
        f"<h3>{_bi('贷后预警', 'Early warnings')}</h3>", _note(tables["post_loan_warnings"]),
        _html_table(tables["post_loan_warnings"], "groups"),
        f"<h3>{_bi('催收工作量', 'Collection workload')}</h3>", _embed("collections", _collections_chart(r)),
        _html_table(tables["post_loan_collections"], "groups")])


def _checks_section(checks: Sequence[CheckLine]) -> str:
    return f"<h2>{_bi('输出校验', 'Checks of the simulated outputs')}</h2>" + _html_table(checks_table(checks))


_STYLE = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1180px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #1565c0; padding-bottom: .2em; margin-top: 2em; }
.en { color: #555; font-weight: normal; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: right; vertical-align: top; }
th { background: #eef3f8; text-align: center; } td:first-child { text-align: left; }
td.text, table.rules td:nth-child(2), table.rules td:nth-child(3), table.rules td:nth-child(4),
table.spec-changes td, table.checks td, table.diff td { text-align: left; }
.pass { color: #1b5e20; font-weight: bold; }
.fail { color: #b71c1c; font-weight: bold; } .na { color: #888; }
tr.fail-row { background: #fdecea; } tr.pass-row { background: #edf7ee; }
.meta { color: #555; } .chart { margin: 1em 0; } code { font-size: .95em; }
.filters { margin: .5em 0; } .filters input { width: 20em; }
.scroll { max-height: 640px; overflow: auto; border: 1px solid #ccc; }
.scroll table { margin: 0; } .scroll thead th { position: sticky; top: 0; }
table.diff { font-size: .82em; } table.diff td { white-space: nowrap; }
table.sortable th { cursor: pointer; } table.sortable th:hover { background: #dde7f2; }
.notes { color: #555; font-size: .9em; }
"""

_TABLE_SCRIPT = """
(function () {
  var table = document.getElementById("diff-table");
  if (!table) return;
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("diff-filter"), change = document.getElementById("diff-change");
  var count = document.getElementById("diff-count");
  function apply() {
    var text = filter.value.toLowerCase(), kind = change.value, shown = 0;
    rows.forEach(function (r) {
      var ok = (!text || r.textContent.toLowerCase().indexOf(text) >= 0)
        && (!kind || r.cells[2].textContent.indexOf(kind) >= 0);
      r.style.display = ok ? "" : "none"; if (ok) shown++;
    });
    count.textContent = shown + " / " + rows.length;
  }
  function key(cell) {
    var t = cell.textContent.replace(/[,%×]/g, "").trim(), n = parseFloat(t);
    return isNaN(n) || !/^[-+]?[0-9.]+$/.test(t) ? t : n;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("data-sort") !== "asc";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("data-sort"); });
      th.setAttribute("data-sort", asc ? "asc" : "desc");
      rows.sort(function (a, b) {
        var x = key(a.cells[i]), y = key(b.cells[i]);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  filter.addEventListener("input", apply); change.addEventListener("change", apply); apply();
})();
"""


def render_report(metrics: Metrics, comparison: Comparison | None = None, checks: Sequence[CheckLine] = ()) -> str:
    """The report as one HTML document (UTF-8 text, scripts and charts inline, nothing fetched)."""
    m = metrics
    zh, en = m.product_name_zh, m.product_name_en
    judged = [f for f in m.figures if f.targets]
    failed = [f for f in judged if f.passed is False]
    summary = (f'<p class="{"fail" if failed else "pass"}">'
               + (f"{len(failed)} 项指标未达到风险偏好 / {len(failed)} figure(s) outside the risk appetite: "
                  + ", ".join(_e(f.label_en) for f in failed) if failed
                  else f"全部 {len(judged)} 项指标符合风险偏好 / all {len(judged)} judged figures within the risk appetite")
               + "</p>")
    tables = {t.id: t for t in metrics_tables(m)}
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (f"产品 / product <b>{_e(m.product_id)}</b> v{_e(m.product_version)} · spec {_e(m.spec_hash[:12])} · "
            f"数据 / data {_e(Path(m.source).name if m.source else '')} · {m.applicants:,} 申请人 / applicants · "
            f"模拟耗时 / simulated in {m.simulate_seconds:.2f} s · {generated}")
    sections = [
        f"<h1>{_e(zh)} <span class='en'>/ {_e(en)}</span><br>策略模拟报告 <span class='en'>/ Strategy simulation "
        f"report</span></h1>", f'<p class="meta">{meta}</p>', summary,
        f"<h2>{_bi('核心指标', 'Key figures')}</h2>", _html_table(tables["figures"]),
        f"<h2>{_bi('决策漏斗', 'Decision funnel')}</h2>", _embed("funnel", _funnel_chart(m)),
        f"<h2>{_bi('分客群、渠道与评分档', 'By segment, channel and band')}</h2>",
        f"<h3>{_bi('客群', 'Segments')}</h3>", _html_table(tables["by_segment"], "groups"),
        f"<h3>{_bi('渠道', 'Channels')}</h3>", _html_table(tables["by_channel"], "groups"),
        f"<h3>{_bi('评分档', 'Score bands')}</h3>", _html_table(tables["by_band"], "groups"),
        *([f"<h3>{_bi('双模型矩阵', 'Two models combined')}</h3>", _embed("combination", _combination_chart(m)),
           _html_table(tables["by_combination"])] if m.by_combination else []),
        f"<h2>{_bi('规则命中与瀑布', 'Rule hits and waterfall')}</h2>", _embed("waterfall", _waterfall_chart(m)),
        _note(tables["rules"]), _html_table(tables["rules"]),
        f"<h2>{_bi('评分分布与各档坏账率', 'Score distribution and bad rate per band')}</h2>",
        _embed("score_distribution", _score_chart(m)), _embed("band_bad_rate", _band_chart(m)),
        f"<h2>{_bi('预期损失', 'Expected loss')}</h2>", _note(tables["expected_loss"]),
        _html_table(tables["expected_loss"], "el"),
        f"<h2>{_bi('额度与利率分布（通过客户）', 'Limit and APR distributions (approved)')}</h2>",
        f"<p>{_bi('授信总额', 'Volume lent')}: <b>{money(m.value('volume_lent'))}</b></p>",
        _html_table(tables["distributions"], "dist"),
        _embed("limit_distribution", _histogram_chart(m.limit, "授信额度分布 / Limit distribution",
                                                      "额度 / Limit", ",.0f")),
        _embed("apr_distribution", _histogram_chart(m.apr, "年化利率分布 / APR distribution", "APR", ".2%")),
    ]
    if m.model is not None:
        sections.append(model_section(m.model))
    else:
        sections.append(f"<h2>{_bi('评分模型', 'Scorecard model')}</h2><p class='notes'>数据无结果变量，无法评估模型 / "
                        "the data has no outcomes: the model cannot be judged (model figures above rest on its PD)</p>")
    if getattr(m, "post_loan", None) is not None:
        sections.append(post_loan_section(m.post_loan))
    if comparison is not None:
        sections.append(_comparison_section(comparison))
    if checks:
        sections.append(_checks_section(checks))
    notes = list(m.notes) + (list(comparison.notes) if comparison else [])
    if notes:
        sections.append("<ul class='notes'>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    sections.append("<p class='notes'>由 Loan Studio 生成；报告只含汇总数据，个人信息已脱敏。 / Generated by Loan "
                    "Studio; the report holds aggregates only, personal data is masked.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(zh)} / {_e(en)} — 策略模拟报告 / Simulation report</title>\n"
            f"<style>{_STYLE}</style>\n<script>{_vega_bundle()}</script>\n</head>\n<body>\n"
            + "\n".join(sections) + f"\n<script>{_TABLE_SCRIPT}</script>\n</body>\n</html>\n")


def write_report(path: str | Path, metrics: Metrics, comparison: Comparison | None = None,
                 checks: Sequence[CheckLine] = ()) -> Path:
    """Render the report and write it to `path` (UTF-8)."""
    path = Path(path)
    path.write_text(render_report(metrics, comparison, checks), encoding="utf-8")
    return path


def render_model_report(r, title: str = "评分卡模型报告 / Scorecard model report") -> str:
    """A trained scorecard's report as one self-contained HTML document (`scorecard train --report`)."""
    meta = (f"产品 / product <b>{_e(r.product_id)}</b> · 目标 / target {_e(r.target)} · 数据 / data "
            f"{_e(Path(r.source).name if r.source else '')} · seed {r.seed} · test {r.test_size:g}")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n<script>{_vega_bundle()}</script>\n</head>\n<body>\n"
            f"<h1>{_e(title)}</h1><p class='meta'>{meta}</p>\n{model_section(r)}\n</body>\n</html>\n")
